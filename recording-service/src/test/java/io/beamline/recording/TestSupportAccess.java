package io.beamline.recording;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** {@link TestSupport}'s Kafka reader for tests in sub-packages. */
public final class TestSupportAccess {

  private TestSupportAccess() {}

  public static List<String> awaitRecords(
      String topic, Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
    return TestSupport.awaitRecords(topic, match, timeout);
  }
}
