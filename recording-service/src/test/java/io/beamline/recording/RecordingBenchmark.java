package io.beamline.recording;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.test.MediaStack;
import io.beamline.devstack.test.TestApiKeys;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How many concurrent recordings one instance sustains on this machine (run by {@code
 * benchmarks/recording/run.sh}, skipped otherwise): for each level N, N ffmpeg publishers push a
 * pre-encoded H.264 + AAC stream ({@code -c copy}, so publishing costs almost no CPU) through
 * nginx-rtmp with record=true tokens; while all N record, the CPU and memory of this instance (the
 * JVM and its recording ffmpeg processes) and of the whole host are sampled; afterwards each
 * recording's stored duration is compared with what was published.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "benchmark.recording", matches = "true")
class RecordingBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int SECONDS = Integer.getInteger("benchmark.seconds", 30);
  private static final String LEVELS = System.getProperty("benchmark.levels", "1,4,8,16");
  private static final String BITRATE = System.getProperty("benchmark.bitrate", "2M");
  private static final long CLOCK_TICKS = 100;

  @Test
  void benchmark() throws Exception {
    MediaStack stack = MediaStack.start();
    Path source = encodeSource();
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "recording benchmark: %d s per level, %s video + AAC 640x360 per publisher, %d cores,"
                + " part size 5 MiB",
            SECONDS, BITRATE, Runtime.getRuntime().availableProcessors()));
    lines.add(
        "N | host CPU % (of all cores) | instance CPU % of one core: total / per recording |"
            + " JVM RSS MB | recorder ffmpeg RSS MB each | stored/published duration min..avg |"
            + " load avg");
    String account = operatorAccount(stack);
    String key = TestApiKeys.apiKey(TestApiKeys.nextKeyId(), account, Set.of("recordings:read"));
    for (String level : LEVELS.split(",")) {
      int n = Integer.parseInt(level.strip());
      lines.add(runLevel(stack, source, key, n));
      System.out.println("[recording-benchmark] " + lines.get(lines.size() - 1));
    }
    Path out = Path.of("target/benchmark/recording.txt");
    Files.createDirectories(out.getParent());
    Files.write(out, lines);
    lines.forEach(l -> System.out.println("[recording-benchmark] " + l));
  }

  private String runLevel(MediaStack stack, Path source, String key, int n) throws Exception {
    List<String> streams = new ArrayList<>();
    List<Process> publishers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String stream = "bench-" + n + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
      streams.add(stream);
      publishers.add(publish(stack, stream, publishToken(stack, stream), source));
    }
    // Measure once every recorder runs: from 5 s after the start for SECONDS - 10 s.
    await().atMost(Duration.ofSeconds(30)).until(() -> recorders().size() >= n);
    Thread.sleep(3000);
    long window = (SECONDS - 10) * 1000L;
    Sample before = sample();
    Thread.sleep(window);
    Sample after = sample();
    for (Process p : publishers) {
      p.waitFor(SECONDS + 30, TimeUnit.SECONDS);
    }
    double hostBusy =
        100.0
            * (after.hostBusy - before.hostBusy)
            / Math.max(1, after.hostTotal - before.hostTotal);
    double instanceCpu =
        100.0
            * (after.instanceCpuTicks - before.instanceCpuTicks)
            / CLOCK_TICKS
            / (window / 1000.0);
    // Stored duration of every recording once complete.
    List<Double> ratios = new ArrayList<>();
    for (String stream : streams) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> done(key, stream));
      Map<String, Object> item =
          given()
              .auth()
              .oauth2(key)
              .queryParam("streamName", stream)
              .get("/api/v3/media/assets")
              .then()
              .extract()
              .jsonPath()
              .getMap("data.items[0]");
      Object metadata = item.get("metadata");
      double duration =
          metadata == null ? 0 : ((Number) ((Map<?, ?>) metadata).get("duration")).doubleValue();
      ratios.add(duration / SECONDS);
    }
    double min = ratios.stream().mapToDouble(d -> d).min().orElse(0);
    double avg = ratios.stream().mapToDouble(d -> d).average().orElse(0);
    return String.format(
        Locale.ROOT,
        "%d | %.0f | %.0f / %.1f | %d | %.0f | %.2f..%.2f | %s",
        n,
        hostBusy,
        instanceCpu,
        instanceCpu / n,
        after.jvmRssKb / 1024,
        after.recorderRssKb / 1024.0 / Math.max(1, after.recorders),
        min,
        avg,
        Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  private boolean done(String key, String stream) {
    List<Map<String, Object>> items =
        given()
            .auth()
            .oauth2(key)
            .queryParam("streamName", stream)
            .get("/api/v3/media/assets")
            .then()
            .extract()
            .jsonPath()
            .getList("data.items");
    return items.size() == 1 && !"processing".equals(items.get(0).get("status"));
  }

  /** CPU and memory counters at one moment. */
  private record Sample(
      long hostBusy,
      long hostTotal,
      long instanceCpuTicks,
      long jvmRssKb,
      long recorderRssKb,
      int recorders) {}

  private static Sample sample() throws IOException {
    String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < cpu.length; i++) {
      total += Long.parseLong(cpu[i]);
    }
    long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
    long self = ProcessHandle.current().pid();
    long ticks = cpuTicks(self);
    long recorderRss = 0;
    List<Long> recorders = recorders();
    for (long pid : recorders) {
      ticks += cpuTicks(pid);
      recorderRss += rssKb(pid);
    }
    return new Sample(total - idle, total, ticks, rssKb(self), recorderRss, recorders.size());
  }

  /** This JVM's recording ffmpeg processes (the publishers write FLV, the recorders pipe:1). */
  private static List<Long> recorders() {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains("pipe:1")).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  /** utime + stime of a process; a recorder that already exited counts as 0. */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException e) {
      return 0;
    }
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // exited
    }
    return 0;
  }

  private static Path encodeSource() throws Exception {
    Path file = Path.of("target/benchmark/source-" + SECONDS + "-" + BITRATE + ".flv");
    if (Files.exists(file)) {
      return file;
    }
    Files.createDirectories(file.getParent());
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
                "testsrc2=size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440",
                "-t",
                Integer.toString(SECONDS),
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-g",
                "50",
                "-b:v",
                BITRATE,
                "-maxrate",
                BITRATE,
                "-bufsize",
                BITRATE,
                "-c:a",
                "aac",
                "-f",
                "flv",
                file.toString())
            .inheritIO()
            .start();
    if (!ffmpeg.waitFor(300, TimeUnit.SECONDS) || ffmpeg.exitValue() != 0) {
      throw new IllegalStateException("cannot encode the benchmark source");
    }
    return file;
  }

  private static Process publish(MediaStack stack, String stream, String token, Path source)
      throws IOException {
    return new ProcessBuilder(
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-re",
            "-i",
            source.toString(),
            "-c",
            "copy",
            "-f",
            "flv",
            stack.mediaNode().rtmpUrl() + "/" + stream + "?token=" + token)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static String publishToken(MediaStack stack, String stream) throws Exception {
    String body =
        "{\"label\":\"bench\",\"streams\":[{\"streamName\":\"" + stream + "\"}],\"record\":true}";
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.tokenServiceUrl() + "/api/publish_token"))
                .header("Authorization", "Bearer " + stack.operatorKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(response.body());
    }
    return JSON.readTree(response.body()).path("data").path("token").asText();
  }

  private static String operatorAccount(MediaStack stack) throws Exception {
    String claims =
        new String(
            Base64.getUrlDecoder().decode(stack.operatorKey().split("\\.")[1]),
            StandardCharsets.UTF_8);
    return JSON.readTree(claims).path("sub").asText();
  }
}
