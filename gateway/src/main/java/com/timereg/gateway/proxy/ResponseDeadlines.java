package com.timereg.gateway.proxy;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The response timeouts of one proxy handler's exchanges, with at most one timer between them.
 *
 * <p>Every exchange waits the same time, so deadlines come due in the order they were set: a queue
 * whose head is always the earliest. One timer is armed for the head; when it fires, every deadline
 * that has passed is failed and the timer is armed for the new head. Setting and clearing a deadline
 * is a queue append and a field write, instead of a timer scheduled and cancelled per request, which
 * cost measurably on the proxied path (see docs/benchmarks.md).
 *
 * <p>Not thread-safe: used only from the event loop that owns the handler, like the exchanges.
 */
final class ResponseDeadlines {

  /** What waits for a response head: told when it did not come in time. */
  interface Waiting {
    void responseTimedOut();
  }

  /** Runs a task once after a delay, on the event loop that owns the deadlines (a Vert.x or a Netty timer). */
  interface Timer {
    void schedule(long delayMillis, Runnable task);
  }

  /** One exchange's deadline; cleared when the exchange got its response or ended. */
  static final class Deadline {
    private final long dueNanos;
    private Waiting exchange;

    private Deadline(long dueNanos, Waiting exchange) {
      this.dueNanos = dueNanos;
      this.exchange = exchange;
    }
  }

  private final Timer timer;
  private final long timeoutNanos;
  private final ArrayDeque<Deadline> queue = new ArrayDeque<>();
  private boolean armed;

  ResponseDeadlines(Timer timer, long timeoutMillis) {
    this.timer = timer;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  Deadline start(Waiting exchange) {
    Deadline deadline = new Deadline(System.nanoTime() + timeoutNanos, exchange);
    queue.addLast(deadline);
    if (!armed) {
      arm(deadline.dueNanos);
    }
    return deadline;
  }

  void clear(Deadline deadline) {
    deadline.exchange = null;
    // Exchanges mostly finish in the order they started: drop finished ones from the head at once,
    // so the queue holds little more than the exchanges in flight.
    while (!queue.isEmpty() && queue.peekFirst().exchange == null) {
      queue.pollFirst();
    }
  }

  private void arm(long dueNanos) {
    long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(dueNanos - System.nanoTime() + 999_999));
    armed = true;
    timer.schedule(delayMillis, this::fire);
  }

  private void fire() {
    armed = false;
    long now = System.nanoTime();
    Deadline head;
    while ((head = queue.peekFirst()) != null && (head.exchange == null || head.dueNanos - now <= 0)) {
      queue.pollFirst();
      Waiting expired = head.exchange;
      head.exchange = null;
      if (expired != null) {
        expired.responseTimedOut();
      }
    }
    if (head != null) {
      arm(head.dueNanos);
    }
  }
}
