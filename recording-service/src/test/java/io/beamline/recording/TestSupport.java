package io.beamline.recording;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.test.BeamlineInfraResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Helpers shared by this module's tests: test media, Kafka reads and ffprobe. */
final class TestSupport {

  private TestSupport() {}

  /** {@code seconds} of H.264 + AAC as fragmented MP4, muxed as the recording worker does. */
  static byte[] fmp4(int seconds) throws Exception {
    Path out = Files.createTempFile("test-media", ".mp4");
    try {
      Process ffmpeg =
          new ProcessBuilder(
                  "ffmpeg",
                  "-nostdin",
                  "-y",
                  "-loglevel",
                  "error",
                  "-f",
                  "lavfi",
                  "-i",
                  "testsrc2=size=320x180:rate=25",
                  "-f",
                  "lavfi",
                  "-i",
                  "sine=frequency=440",
                  "-t",
                  Integer.toString(seconds),
                  "-c:v",
                  "libx264",
                  "-preset",
                  "ultrafast",
                  "-g",
                  "25",
                  "-c:a",
                  "aac",
                  "-f",
                  "mp4",
                  "-movflags",
                  "+frag_keyframe+empty_moov+default_base_moof",
                  out.toString())
              .inheritIO()
              .start();
      assertTrue(ffmpeg.waitFor(60, TimeUnit.SECONDS) && ffmpeg.exitValue() == 0);
      return Files.readAllBytes(out);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * ffmpeg publishing {@code seconds} of live H.264 + AAC test media to an RTMP URL, at a constant
   * {@code cbrBitrate} (with filler data, so the size per second is known) unless it is null.
   */
  static Process rtmpPublisher(String url, int seconds, String cbrBitrate) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440",
                "-t",
                Integer.toString(seconds),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25"));
    if (cbrBitrate != null) {
      command.addAll(
          List.of(
              "-b:v",
              cbrBitrate,
              "-minrate",
              cbrBitrate,
              "-maxrate",
              cbrBitrate,
              "-bufsize",
              cbrBitrate,
              "-x264-params",
              "nal-hrd=cbr"));
    }
    command.addAll(List.of("-c:a", "aac", "-f", "flv", url));
    return new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** ffprobe's JSON view of a URL or file. */
  static String ffprobe(String input) throws Exception {
    Process ffprobe =
        new ProcessBuilder(
                "ffprobe",
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                input)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String json = new String(ffprobe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(ffprobe.waitFor(60, TimeUnit.SECONDS), "ffprobe hung");
    assertTrue(ffprobe.exitValue() == 0, "ffprobe failed on " + input);
    return json;
  }

  /**
   * Reads {@code topic} from the beginning until a record matches, or {@code timeout} passes.
   *
   * @return the matching records' values
   */
  static List<String> awaitRecords(
      String topic, Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
    Properties p = new Properties();
    p.put(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BeamlineInfraResource.kafka().bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> found = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<TopicPartition> partitions = List.of();
      // A dead-letter topic exists only once something was written to it.
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions =
            consumer.partitionsFor(topic, Duration.ofSeconds(2)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        if (partitions.isEmpty()) {
          Thread.onSpinWait();
          consumer.listTopics(Duration.ofMillis(200));
        }
      }
      if (partitions.isEmpty()) {
        return found;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (found.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          if (match.test(record)) {
            found.add(record.value());
          }
        }
      }
    }
    return found;
  }
}
