package com.timereg.gateway.breach;

import com.timereg.gateway.password.BreachedPasswords;
import com.timereg.hibp.HibpSet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offline Have I Been Pwned set the gateway checks new passwords against: the file named by
 * {@link BreachSetSettings#setPath()}, mapped read-only off-heap, and swapped for its replacement
 * without a restart.
 *
 * <p>Every {@code reloadInterval} a one-thread worker compares the path's {@link FileIdentity} with
 * the one in use; when it differs, the new file is opened there (header checks only: the loader
 * writes a complete file and renames it into place), read into memory in 2 MiB pages where the kernel
 * allows ({@link HibpSet.Mapping#PRELOADED}), and published through a volatile field, and
 * the old set is closed after {@code closeGrace}. A file that cannot be opened is reported (log,
 * metric, readiness detail) once; one whose bytes were refused is retried only once it changes again,
 * one that could not be opened at all (permissions) every tick, since fixing that changes nothing the
 * watcher compares. A set already in use stays in use meanwhile, since its mapping outlives the rename.
 * Lookups take no lock and never block.
 */
public final class BreachSet implements BreachedPasswords {
  private static final Logger LOG = LoggerFactory.getLogger(BreachSet.class);

  /**
   * The set and the identity its path had when it was opened: a file cut short in place ({@code cp} over the set,
   * rather than the loader's rename) faults (SIGBUS) on every mapped page past its new end, which the JVM delivers
   * as an InternalError, in compiled code at some later point of the thread, not at the lookup. So each lookup
   * first asks the set's own channel, the one its mapping was made from, for the file's length (one fstat) and
   * touches no mapping that is cut; it also compares the path's identity with {@code identity} before and after,
   * so that a file written over in place is not answered from (see {@link #lookup}).
   */
  private record InUse(HibpSet set, FileIdentity identity) {
    void close() {
      set.close();
    }
  }

  /** Opens a set file: {@link HibpSet#open(Path, HibpSet.Mapping)}, or a test's, which renames files mid-open. */
  interface Opener {
    HibpSet open(Path path, HibpSet.Mapping mapping) throws IOException;
  }

  private final Vertx vertx;
  private final BreachSetSettings settings;
  private final BreachSetMetrics metrics;
  private final WorkerExecutor worker;
  private final Opener opener;
  private final SetFilePlace place;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile InUse current;
  /** What is wrong with the configured file now, for readiness; null when nothing is. */
  private volatile String problem;
  /** The identity last looked at; read and written only by tasks on {@link #worker}. */
  private FileIdentity seen;
  /**
   * Whether the file at {@link #seen} was refused for where it is ({@link SetFilePlace}); worker only. Fixing that
   * (chmod) changes neither the file's identity nor a directory's, so a refused file is looked at again every tick.
   */
  private boolean misplaced;
  /**
   * Whether the file at {@link #seen} could not be opened for a reason outside its bytes (permission denied, a
   * directory, no more file handles); worker only. The fix ({@code chmod}, {@code chown}) changes none of the
   * file's identity, so such a file is opened again every tick, without being reported again, until it opens. A
   * file whose bytes were refused (not a set, damaged) is not: it cannot change without its identity changing.
   */
  private boolean unopened;
  /** The last problem logged, in full; worker only. A file opened again (above) is logged again only for another. */
  private String reported;
  private volatile long timer = -1;
  /**
   * Set by {@link #close}; it and the publishing of a set are done under this object's lock, so that a close wins
   * over a reload in flight: a set opened after it is closed at once, never published (it would never be closed).
   */
  private boolean closed;
  /** Replaced sets waiting for their closeGrace timer, by timer id; guarded by this object's lock. */
  private final Map<Long, InUse> waiting = new HashMap<>();

  /**
   * @param place whether a set file may be taken where it is (group or others able to write it or to rename another
   *     in its place); one refused is not opened, and the set in use stays
   */
  public BreachSet(Vertx vertx, BreachSetSettings settings, BreachSetMetrics metrics, SetFilePlace place) {
    this(vertx, settings, metrics, place, HibpSet::open);
  }

  BreachSet(Vertx vertx, BreachSetSettings settings, BreachSetMetrics metrics, SetFilePlace place, Opener opener) {
    this.vertx = vertx;
    this.opener = opener;
    this.place = java.util.Objects.requireNonNull(place, "place");
    this.settings = settings;
    this.metrics = metrics;
    // Opening and verifying a full-size set (tens of GB read once from disk) can take minutes: longer than the
    // default 60 s, after which Vert.x would log a blocked-thread warning with a stack trace for normal work.
    this.worker = vertx.createSharedWorkerExecutor("hibp-set", 1, 30, java.util.concurrent.TimeUnit.MINUTES);
  }

  /**
   * Opens the configured set on the worker and starts watching it. Completes when the first
   * attempt is over, successful or not: a missing set leaves the gateway running with password
   * changes refused (or allowed, per {@code allowWithoutSet}).
   */
  public Future<Void> start() {
    if (settings.setPath().isEmpty()) {
      metrics.inUse(0);
      LOG.warn("no hibp.set-path configured: {}", settings.allowWithoutSet()
          ? "new passwords are accepted WITHOUT a breach check (hibp.allow-without-set)"
          : "password changes are refused until a breach set is configured");
      return Future.succeededFuture();
    }
    return refresh().onComplete(ar -> {
      long interval = settings.reloadInterval().toMillis();
      synchronized (this) {
        if (closed) {
          return;
        }
        timer = vertx.setPeriodic(interval, interval, id -> {
          // Skip a tick while the last look is still running (a slow or hung file system).
          if (refreshing.compareAndSet(false, true)) {
            refresh().onComplete(done -> refreshing.set(false));
          }
        });
      }
    });
  }

  /** Looks at the file once now, on the worker; a failure is reported, never thrown. */
  Future<Void> refresh() {
    return worker.executeBlocking(() -> {
      reloadIfChanged(settings.setPath().orElseThrow());
      return null;
    }, true);
  }

  private void reloadIfChanged(Path path) {
    FileIdentity now;
    try {
      now = FileIdentity.of(path);
    } catch (IOException | RuntimeException e) {
      reportOnce(FileIdentity.MISSING, path, "cannot read its attributes: " + e.getMessage());
      return;
    }
    if (now.sameAs(seen) && !misplaced && !unopened) {
      return;
    }
    unopened = false;
    InUse inUse = current;
    if (inUse != null && now.fileKey() != null && now.fileKey().equals(inUse.identity().fileKey())
        && !now.sameAs(inUse.identity())) {
      // The very file in use was written over in place (cp, not the loader's rename): its mapping shows the new
      // bytes, which nothing has checked, so it is no longer "the set loaded before". Fail closed until the new
      // version is opened and checked below.
      current = null;
      metrics.inUse(0);
      closeLater(inUse);
      LOG.warn("breach set {} was written over in place; it is no longer used (replace it by renaming a new file "
          + "over it, as bin/hibp-loader does)", path);
    }
    if (now.missing()) {
      misplaced = false;
      reportOnce(now, path, "file not found");
      return;
    }
    java.util.Optional<String> refusal = place.refusal(path);
    if (refusal.isPresent()) {
      // Checked before opening: anyone who could rename a set of their own in here could leave breached passwords
      // out of it. Reported as an ERROR once per file version, then looked at quietly every tick until fixed.
      if (!misplaced || !now.sameAs(seen) || problem == null) {
        misplaced = true;
        reportOnce(now, path, "refused: " + refusal.get(), true);
      }
      return;
    }
    if (misplaced) {
      // Fixed (chmod) with the file as it was: what follows reports anew whatever else is wrong with it.
      misplaced = false;
      problem = null;
    }
    HibpSet opened;
    try {
      // The set refuses what is not a regular file, where opening a FIFO to read would block this worker (its only
      // thread) until some writer came along, and with it the gateway's start.
      opened = opener.open(path, new HibpSet.Mapping(settings.hugePages(), true));
    } catch (IOException | RuntimeException e) {
      reportOnce(now, path, "cannot open it: " + e.getMessage());
      unopened = !(e instanceof com.timereg.hibp.CorruptSetException);
      return;
    }
    if (!now.sameAs(identityOrMissing(path)) || opened.fileBytes() != now.size()) {
      // Replaced while it was being opened, even if put back since (A, B renamed over it, A again: the path's
      // identity is A's before and after, but the length of the file mapped is B's): the mapping may be of
      // another file than the identity. Look again at the next tick, without reporting a problem.
      opened.close();
      return;
    }
    if (opened.entryCount() == 0) {
      // A valid file, but it would call every password safe while readiness said a set is in use; the
      // loader refuses to build one, so it comes from elsewhere: fail closed as for an unreadable file.
      opened.close();
      reportOnce(now, path, "it holds no entries");
      return;
    }
    try {
      // The header was checked by open; the body is read once here, on this worker, so a damaged one (which
      // would give wrong answers, a breached password called safe) is refused like an unreadable file.
      if (settings.verifyOnLoad()) {
        opened.verify();
      }
    } catch (IOException | RuntimeException e) {
      opened.close();
      reportOnce(now, path, "it is damaged: " + e.getMessage());
      return;
    }
    InUse previous;
    synchronized (this) {
      if (closed) {
        // Stopped while this was being opened: the close has been, so nothing else would ever close it.
        opened.close();
        return;
      }
      previous = current;
      current = new InUse(opened, now);
    }
    seen = now;
    problem = null;
    metrics.inUse(opened.entryCount());
    LOG.info("breach set {} in use: {} entries, built {}, {} of {} MiB in 2 MiB pages{}", path,
        opened.entryCount(), opened.buildTime(), mib(opened.hugePageBytes()), mib(opened.fileBytes()),
        previous == null ? "" : " (replaces the set built " + previous.set().buildTime() + ")");
    if (previous != null) {
      closeLater(previous);
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  /** Records a problem with the file, logging it once per file version rather than every tick. */
  private void reportOnce(FileIdentity identity, Path path, String what) {
    reportOnce(identity, path, what, false);
  }

  private void reportOnce(FileIdentity identity, Path path, String what, boolean error) {
    if (identity.sameAs(seen) && problem != null && !error && what.equals(reported)) {
      return;
    }
    seen = identity;
    reported = what;
    // Shown by describe() in the readiness answer, which is read without credentials: the kind of problem (the
    // text before our first ": "), not the path or the exception's message (paths, OS reasons), which are logged.
    int reason = what.indexOf(": ");
    problem = "hibp.set-path: " + (reason < 0 ? what : what.substring(0, reason)) + ", see the log";
    metrics.loadFailed();
    (error ? LOG.atError() : LOG.atWarn()).log("breach set {}: {}; {}", path, what, current != null
        ? "still using the set loaded before"
        : settings.allowWithoutSet()
            ? "new passwords are accepted WITHOUT a breach check (hibp.allow-without-set)"
            : "password changes are refused until it can be read");
  }

  private static FileIdentity identityOrMissing(Path path) {
    try {
      return FileIdentity.of(path);
    } catch (IOException | RuntimeException e) {
      return FileIdentity.MISSING;
    }
  }

  /**
   * Closes a replaced set after {@code closeGrace}, for lookups that already hold it. Until then it is kept in
   * {@link #waiting}, so that {@link #close} closes it too: its timer would never fire once Vert.x has stopped.
   */
  private void closeLater(InUse old) {
    long grace = settings.closeGrace().toMillis();
    synchronized (this) {
      if (grace > 0 && !closed) {
        long[] timerId = new long[1];
        timerId[0] = vertx.setTimer(grace, id -> {
          synchronized (this) {
            waiting.remove(timerId[0]);
          }
          old.close();
        });
        waiting.put(timerId[0], old);
        return;
      }
    }
    old.close();
  }

  @Override
  public boolean available() {
    return current != null;
  }

  /** The set stores each count's power-of-two class and answers with the class's lower bound. */
  @Override
  public boolean countsAreLowerBounds() {
    return true;
  }

  @Override
  public long prevalence(byte[] sha1) {
    InUse inUse = current;
    if (inUse == null) {
      return 0;
    }
    long prevalence;
    try {
      prevalence = lookup(inUse, sha1);
    } catch (IllegalStateException closed) {
      // Swapped and closed between reading the field and the lookup: ask the new set.
      InUse now = current;
      if (now == null || now == inUse) {
        metrics.lookup(BreachSetMetrics.Lookup.ERROR);
        throw closed;
      }
      try {
        prevalence = lookup(now, sha1);
      } catch (IllegalStateException e) {
        metrics.lookup(BreachSetMetrics.Lookup.ERROR);
        throw e;
      }
    }
    metrics.lookup(prevalence > 0 ? BreachSetMetrics.Lookup.FOUND : BreachSetMetrics.Lookup.NOT_FOUND);
    return prevalence;
  }

  /**
   * One lookup in {@code inUse}, unless its file is now shorter than the mapping or was written over in place
   * (before or during the lookup): then an IllegalStateException, so the breach check fails closed as for a set
   * that is not there (PasswordPolicyChecker) until the watcher maps the file's next version. A write in place
   * shows in the mapping at once, long before the watcher's next look, and those bytes are unchecked: answering
   * from them could call a breached password safe.
   */
  private static long lookup(InUse inUse, byte[] sha1) {
    checkUnchanged(inUse);
    long prevalence = inUse.set().prevalence(sha1);
    checkUnchanged(inUse);
    return prevalence;
  }

  private static void checkUnchanged(InUse inUse) {
    long length;
    try {
      length = inUse.set().currentFileBytes();
    } catch (IOException e) {
      // Closed by a swap (ClosedChannelException) or unreadable: the caller asks the set now in use, if any.
      throw new IllegalStateException("breach set file " + inUse.set().path() + " unavailable: " + e, e);
    }
    if (length < inUse.set().fileBytes()) {
      throw new IllegalStateException("breach set file " + inUse.set().path() + " was cut short in place ("
          + length + " of " + inUse.set().fileBytes() + " bytes)");
    }
    // The path names the mapped file (same inode) but its modification time or size moved: written over in place.
    // Another inode (renamed over, as the loader does) or none leaves the mapped file as it was; attributes that
    // cannot be read are left to the watcher, which keeps the set in use then too.
    FileIdentity now = identityOrMissing(inUse.set().path());
    if (now.fileKey() != null && now.fileKey().equals(inUse.identity().fileKey()) && !now.sameAs(inUse.identity())) {
      throw new IllegalStateException("breach set file " + inUse.set().path() + " was written over in place");
    }
  }

  /** For readiness: the set in use (entries, build date) or why there is none and what that means. */
  public String describe() {
    InUse inUse = current;
    String issue = problem;
    if (inUse != null) {
      String state = String.format(Locale.ROOT, "%,d entries, built %s", inUse.set().entryCount(),
          inUse.set().buildTime().truncatedTo(ChronoUnit.SECONDS));
      return issue == null ? state : state + " (" + issue + "; still using this set)";
    }
    String none = issue == null ? "no breach set" : "no breach set (" + issue + ")";
    return none + (settings.allowWithoutSet()
        ? ": password changes allowed without a breach check (hibp.allow-without-set)"
        : ": password changes refused");
  }

  /**
   * Stops watching and closes the set, and the replaced ones still waiting for their closeGrace (their timers
   * would not fire once Vert.x stops); lookups after this find no set. A look in flight that opens a set after this
   * closes it at once instead of publishing it.
   */
  public Future<Void> close() {
    List<InUse> toClose = new ArrayList<>();
    synchronized (this) {
      closed = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      if (current != null) {
        toClose.add(current);
      }
      current = null;
      // Replaced sets still in their grace: their timers may never fire (Vert.x stops next).
      waiting.forEach((id, old) -> {
        vertx.cancelTimer(id);
        toClose.add(old);
      });
      waiting.clear();
    }
    toClose.forEach(InUse::close);
    return worker.close();
  }
}
