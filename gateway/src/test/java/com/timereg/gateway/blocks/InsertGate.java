package com.timereg.gateway.blocks;

import com.timereg.gateway.store.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes inserts into {@code blocks} that match a condition wait at a trigger while the test holds the gate (an
 * advisory lock), so a test can have writes under way, not yet committed, at a moment of its choosing. Blocking
 * calls: use them off the event loop.
 */
final class InsertGate implements AutoCloseable {
  private final TestDatabase db;
  private final String name;
  private final int lock;
  private Connection holder;

  private InsertGate(TestDatabase db, String name, int lock) {
    this.db = db;
    this.name = name;
    this.lock = lock;
  }

  /** @param condition on {@code NEW}, e.g. {@code NEW.kind = 'manual'} */
  static InsertGate install(TestDatabase db, String name, String condition, int lock) throws SQLException {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("CREATE OR REPLACE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ "
          + "BEGIN IF " + condition + " THEN PERFORM pg_advisory_xact_lock_shared(" + lock + "); "
          + "END IF; RETURN NEW; END $$");
      s.execute("CREATE TRIGGER " + name + " BEFORE INSERT ON blocks FOR EACH ROW EXECUTE FUNCTION " + name + "()");
    }
    return new InsertGate(db, name, lock);
  }

  /** From now on matching inserts wait, until {@link #open}. */
  void shut() throws SQLException {
    holder = db.openJdbc();
    try (Statement s = holder.createStatement()) {
      s.execute("SELECT pg_advisory_lock(" + lock + ")");
    }
  }

  void open() throws SQLException {
    try (Statement s = holder.createStatement()) {
      s.execute("SELECT pg_advisory_unlock(" + lock + ")");
    }
  }

  /** Takes the trigger away: no insert waits any more. */
  void remove() throws SQLException {
    try (Connection c = db.openJdbc(); Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER IF EXISTS " + name + " ON blocks");
    }
  }

  @Override
  public void close() throws SQLException {
    if (holder != null) {
      holder.close();
    }
    remove();
  }
}
