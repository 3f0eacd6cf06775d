import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Any Kafka consumer, as a new user would use one: prints every record of the given topics whose
 * value mentions {@code match}, from the beginning, for a few seconds. Usage: {@code java -cp
 * '<data dir>/launcher-lib/*' TopicTail.java <bootstrap> <match> <topic>...}
 */
public class TopicTail {
  public static void main(String[] args) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      for (int t = 2; t < args.length; t++) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(args[t]).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(
            java.util.stream.Stream.concat(consumer.assignment().stream(), partitions.stream())
                .toList());
        consumer.seekToBeginning(partitions);
      }
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() != null && record.value().contains(args[1])) {
            System.out.println(record.topic() + " " + record.value());
          }
        }
      }
    }
  }
}
