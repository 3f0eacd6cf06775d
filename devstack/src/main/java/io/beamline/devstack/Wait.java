package io.beamline.devstack;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling for components that become ready asynchronously. */
final class Wait {

  private Wait() {}

  /**
   * Polls {@code ready} until it holds.
   *
   * @param abort checked before each poll; a non-null answer (e.g. "the process exited") ends the
   *     wait at once with that reason
   * @param onTimeout the message when {@code timeout} passes first
   */
  static void until(
      Duration timeout,
      Duration interval,
      BooleanSupplier ready,
      Supplier<String> abort,
      Supplier<String> onTimeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String reason = abort.get();
      if (reason != null) {
        throw new DevstackException(reason);
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new DevstackException(onTimeout.get());
      }
      pause(interval);
    }
  }

  static void pause(Duration interval) {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevstackException("interrupted while waiting", e);
    }
  }
}
