package io.beamline.platform.kafka;

import io.quarkus.logging.Log;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Runs one Kafka consumer on its own thread: connects, polls until stopped, and after a failure
 * closes the consumer and starts again from the last committed position after a pause.
 *
 * <p>Every raw consumer of the platform shares this lifecycle; what differs (subscribe or assign,
 * what one poll applies, when to commit) is the {@link Work}. A failure is never swallowed
 * silently: it is logged and the consumer is rebuilt, so uncommitted records come again and the
 * consumer's idempotency (inbox, upserts) makes the replay harmless.
 */
public final class ConsumerLoop {

  /** What a loop does with its consumer. */
  public interface Work {

    /**
     * Called with a new consumer before its first poll: subscribe or assign here.
     *
     * @return false when it cannot start yet (a topic is missing, say): the consumer is closed and
     *     a new one tries again after the retry pause, without a warning
     */
    boolean connected(KafkaConsumer<String, String> kafka) throws Exception;

    /**
     * One round: poll, apply, commit.
     *
     * @return false to close this consumer and connect a new one at once (new topics appeared)
     */
    boolean pollOnce(KafkaConsumer<String, String> kafka) throws Exception;

    /** Called on the loop's thread after its last consumer closed, when the loop stops. */
    default void stopped() {}
  }

  private final String name;
  private final Supplier<Properties> properties;
  private final Duration retryPause;
  private final Work work;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean polling;
  private volatile KafkaConsumer<String, String> consumer;

  private ConsumerLoop(
      String name, Supplier<Properties> properties, Duration retryPause, Work work) {
    this.name = name;
    this.properties = properties;
    this.retryPause = retryPause;
    this.work = work;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  /**
   * Starts a loop on a new daemon thread named {@code name}.
   *
   * @param properties builds the consumer configuration for each new consumer
   * @param retryPause how long to wait after a failure before connecting again
   */
  public static ConsumerLoop start(
      String name, Supplier<Properties> properties, Duration retryPause, Work work) {
    ConsumerLoop loop = new ConsumerLoop(name, properties, retryPause, work);
    loop.thread.start();
    return loop;
  }

  /** Whether a connected consumer is polling (for readiness checks). */
  public boolean polling() {
    return polling;
  }

  /** Whether the loop has not been asked to stop; long work in a round may check it. */
  public boolean running() {
    return running;
  }

  /** Stops the loop: wakes a blocked poll and waits up to {@code timeout} for the thread. */
  public void stop(Duration timeout) {
    running = false;
    KafkaConsumer<String, String> current = consumer;
    if (current != null) {
      current.wakeup();
    }
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (running) {
        boolean pause = false;
        try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(properties.get())) {
          consumer = kafka;
          if (!running) {
            break;
          }
          if (!work.connected(kafka)) {
            pause = true;
          } else {
            polling = true;
            while (running && work.pollOnce(kafka)) {
              // Each round polls, applies and commits; the loop only decides whether to go on.
            }
          }
        } catch (WakeupException e) {
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (Exception e) {
          Log.warnf(e, "%s: %s; reconnecting in %s", name, e.getMessage(), retryPause);
          pause = true;
        } finally {
          polling = false;
          consumer = null;
        }
        if (pause && running && !sleep(retryPause)) {
          break;
        }
      }
    } finally {
      running = false;
      work.stopped();
    }
  }

  private static boolean sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
