import io.beamline.devstack.KafkaBroker;
import io.beamline.devstack.MediaNode;
import io.beamline.devstack.Ports;
import io.beamline.devstack.Postgres;
import io.beamline.devstack.test.BeamlineInfraResource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Viewer-join storm of stream-service (issue 4, deliverable 8): real Kafka, PostgreSQL, an
 * nginx-rtmp media node with one live ffmpeg publisher, token-service and stream-service from their
 * packaged jars; N on_play callbacks with unique client ids from C concurrent HTTP/1.1 connections,
 * timed until every {@code viewer-joined} of the stream is on Kafka, then token-service's
 * {@code POST /internal/authorize} driven the same way for comparison.
 *
 * <p>java -cp DEVSTACK_CLASSPATH JoinBench.java WORK_DIR REPO (settings from the environment, see
 * run.sh). It writes WORK_DIR/authorize-body.json and WORK_DIR/ports for the wrk comparison, which
 * runs while this process waits for WORK_DIR/wrk-done.
 */
public class JoinBench {

  static final String STREAM = "storm";
  static final List<Process> PROCESSES = new ArrayList<>();
  static MediaNode mediaNode;
  static Path work;

  public static void main(String[] args) throws Exception {
    work = Path.of(args[0]).toAbsolutePath();
    Path repo = Path.of(args[1]).toAbsolutePath();
    int joins = Integer.parseInt(env("BENCH_JOINS", "20000"));
    int warmup = Integer.parseInt(env("BENCH_WARMUP", "5000"));
    int warmupRounds = Integer.parseInt(env("BENCH_WARMUP_ROUNDS", "30"));
    double jitQuiet = Double.parseDouble(env("BENCH_JIT_QUIET", "0.05"));
    int connections = Integer.parseInt(env("BENCH_CONNECTIONS", "64"));
    String javaOpts = env("BENCH_JAVA_OPTS", "-Xms1g -Xmx2g");
    Runtime.getRuntime().addShutdownHook(new Thread(JoinBench::stopAll, "join-bench-stop"));
    long t0 = System.nanoTime();

    say("starting Kafka, PostgreSQL and S3Proxy (devstack BeamlineInfraResource)");
    BeamlineInfraResource infra = new BeamlineInfraResource();
    infra.init(Map.of());
    infra.start();
    Postgres postgres = BeamlineInfraResource.postgres();
    KafkaBroker kafka = BeamlineInfraResource.kafka();
    postgres.createDatabaseIfMissing("token");
    postgres.createDatabaseIfMissing("stream");

    // The same settings as devstack's MediaStack, but with the benchmark's JVM options and the
    // services' own defaults for the outbox relay (MediaStack shortens it for tests).
    int tokenPort = Ports.freePort();
    String tokenUrl = "http://127.0.0.1:" + tokenPort;
    Path internalKeyFile = work.resolve("internal-api-key.txt");
    Path operatorKeyFile = work.resolve("bootstrap-api-key.txt");
    Map<String, String> tokenEnv = commonEnv(postgres, kafka, "token", tokenPort);
    tokenEnv.put("BEAMLINE_SECRETS_MASTER_KEY", randomKey());
    tokenEnv.put("BEAMLINE_BOOTSTRAP_ACCOUNT_NAME", "operator");
    tokenEnv.put("BEAMLINE_BOOTSTRAP_API_KEY_FILE", operatorKeyFile.toString());
    tokenEnv.put("BEAMLINE_BOOTSTRAP_INTERNAL_KEY_FILE", internalKeyFile.toString());
    Process token = launch("token-service", repo, javaOpts, tokenEnv);
    awaitReady("token-service", token, tokenUrl, internalKeyFile);

    int streamPort = Ports.freePort();
    String streamUrl = "http://127.0.0.1:" + streamPort;
    mediaNode =
        MediaNode.builder()
            .callbackUrl(streamUrl)
            .dataDir(work.resolve("media-node"))
            .logFile(work.resolve("media-node.log"))
            .runDir(work.resolve("run"))
            .build();
    mediaNode.start();
    Map<String, String> streamEnv = commonEnv(postgres, kafka, "stream", streamPort);
    streamEnv.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", tokenUrl + "/.well-known/jwks.json");
    streamEnv.put("BEAMLINE_STREAM_TOKEN_SERVICE_URL", tokenUrl);
    streamEnv.put("BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE", internalKeyFile.toString());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_JWT_SECRET", randomKey());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_RTMP_URL", mediaNode.rtmpUrl());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_HLS_URL", mediaNode.httpUrl());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_CONTROL_URL", mediaNode.controlUrl());
    streamEnv.put("BEAMLINE_STREAM_MEDIA_NODE_CALLBACK_KEY", mediaNode.callbackKey());
    Process stream = launch("stream-service", repo, javaOpts, streamEnv);
    awaitReady("stream-service", stream, streamUrl, null);
    say("services ready after %.0f s", (System.nanoTime() - t0) / 1e9);

    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String operatorKey = Files.readString(operatorKeyFile).strip();
    String internalKey = Files.readString(internalKeyFile).strip();
    String account = field(get(http, tokenUrl + "/api/accounts/me", operatorKey), "id");
    String tokenBody = "{\"label\":\"b\",\"streams\":[{\"streamName\":\".*\",\"isRegex\":true}]}";
    String subscribe = post(http, tokenUrl + "/api/subscribe_token", operatorKey, tokenBody);
    String publish = post(http, tokenUrl + "/api/publish_token", operatorKey, tokenBody);
    String subscribeToken = field(subscribe, "token");
    String publishToken = field(publish, "token");
    String publishTokenId = field(publish, "id");

    say("publishing %s with ffmpeg", STREAM);
    ProcessBuilder ffmpeg =
        new ProcessBuilder(
                "ffmpeg", "-nostdin", "-loglevel", "warning", "-re", "-f", "lavfi", "-i",
                "testsrc=size=320x240:rate=15", "-c:v", "libx264", "-preset", "ultrafast", "-g",
                "15", "-f", "flv", mediaNode.rtmpUrl() + "/" + STREAM + "?token=" + publishToken)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("ffmpeg.log").toFile());
    PROCESSES.add(ffmpeg.start());

    String playUrl = streamUrl + "/media/nginx/play?key=" + enc(mediaNode.callbackKey());
    String runId = Long.toString(System.currentTimeMillis(), 36);
    IntFunction<HttpRequest> join =
        i ->
            HttpRequest.newBuilder(URI.create(playUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "call=play&app=live&name=" + STREAM + "&clientid=bench-" + runId + "-" + i
                            + "&addr=127.0.0.1&flashver=LNX&token=" + enc(subscribeToken)
                            + "&accountId=" + enc(account)))
                .build();

    // Wait until the stream is live: one probe join a quarter second, counted with the warm-up.
    int probes = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      probes++;
      HttpResponse<String> r = http.send(join.apply(-probes), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 302) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("stream never went live; last answer " + r.statusCode());
      }
      Thread.sleep(250);
    }
    say("stream live after %d probe(s)", probes);

    // Warm-up in rounds until the JIT compilers of both services are quiet: on two cores C2 kept
    // compiling hot methods (0.1-1.7 s each) 25 s into the run, half of stream-service's CPU in a
    // storm after 20,000 warm-up joins; a service that has been running is past that.
    int warmed = 0;
    int rounds = 0;
    double jitShare;
    do {
      Map<String, Long> cpu0 = cpuTicks();
      int offset = 1_000_000 + warmed;
      Run warm = drive(http, connections, warmup, i -> join.apply(offset + i), 302, null);
      Map<String, Long> cpu1 = cpuTicks();
      warmed += warm.ok;
      rounds++;
      double jit = 0;
      double all = 0;
      for (Map.Entry<String, Long> e : cpu1.entrySet()) {
        long delta = e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
        if (e.getKey().endsWith(" / CN CompilerThre")) {
          jit += delta;
        } else if (!e.getKey().contains(" / ")) {
          all += delta;
        }
      }
      jitShare = all == 0 ? 0 : jit / all;
      say(
          "warm-up round %d: %s; JIT compilers %.1f%% of the machine's CPU in the round",
          rounds, warm, 100 * jitShare);
    } while (jitShare > jitQuiet && rounds < warmupRounds);
    String warmupSummary =
        String.format(
            "%d warm-up joins in %d rounds of %d (until the services' JIT compilers used <= %.0f%%"
                + " of the CPU in a round; last round %.1f%%)",
            warmed, rounds, warmup, 100 * jitQuiet, 100 * jitShare);
    // Probes refused before the stream went live joined nobody; the one answered 302 did.
    int before = 1 + warmed;

    // token-service's authorisation, with the body stream-service sends for this join.
    String authBody =
        "{\"action\":\"subscribe\",\"streamName\":\"" + STREAM + "\",\"accountId\":\"" + account
            + "\",\"token\":\"" + subscribeToken + "\",\"clientIp\":\"127.0.0.1\""
            + ",\"publishTokenId\":" + publishTokenId + "}";
    HttpRequest authorize =
        HttpRequest.newBuilder(URI.create(tokenUrl + "/internal/authorize"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + internalKey)
            .POST(HttpRequest.BodyPublishers.ofString(authBody))
            .build();
    Run authWarm = drive(http, connections, warmup, i -> authorize, 200, "\"allowed\":true");
    say("warm-up authorisations: %s", authWarm);

    // Rounds of a join storm then as many authorisations through the same driver, alternating so
    // that both see the same machine; the ratio is taken per round and its median reported.
    int roundCount = Integer.parseInt(env("BENCH_ROUNDS", "5"));
    KafkaConsumer<String, String> consumer = consumer(kafka);
    List<Round> stormRounds = new ArrayList<>();
    long seen = 0;
    long expected = before;
    for (int r = 0; r < roundCount; r++) {
      Map<String, Double> metricsBefore = metrics(http, streamUrl);
      Map<String, Long> cpuBefore = cpuTicks();
      long stormStartMillis = System.currentTimeMillis();
      int offset = 10_000_000 * (r + 1);
      Run storm = drive(http, connections, joins, i -> join.apply(offset + i), 302, null);
      say("join storm %d: %s", r + 1, storm);
      Map<String, Double> metricsAfter = metrics(http, streamUrl);
      expected += storm.ok;
      Count count = countJoined(consumer, seen, expected, Duration.ofSeconds(120));
      seen = count.count;
      Map<String, Long> cpuAfter = cpuTicks();
      double untilKafka = (count.observedAtMillis - stormStartMillis) / 1000.0;
      double untilLastEvent = (count.lastTimestamp - stormStartMillis) / 1000.0;
      say(
          "viewer-joined for %s on Kafka: %d of %d expected, last one %.2f s after the first"
              + " request (record timestamp), observed %.2f s after",
          STREAM, count.count, expected, untilLastEvent, untilKafka);
      Run auth = drive(http, connections, joins, i -> authorize, 200, "\"allowed\":true");
      say("authorisations %d: %s", r + 1, auth);
      stormRounds.add(
          new Round(
              storm,
              auth,
              count,
              expected,
              untilKafka,
              untilLastEvent,
              inside(metricsBefore, metricsAfter),
              cpuReport(cpuBefore, cpuAfter, storm.ok, untilKafka)));
    }
    // Where a join's time goes, in part: token-service's viewer admission, which stream-service
    // calls for every join, serialised per subscribe token (one token here, as for one event).
    String subscribeTokenId = field(subscribe, "id");
    HttpRequest.Builder admit =
        HttpRequest.newBuilder(URI.create(tokenUrl + "/internal/viewer-sessions"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + internalKey);
    Run admissions =
        drive(http, connections, Integer.parseInt(env("BENCH_ADMISSIONS", "5000")),
            i -> admit.copy().POST(HttpRequest.BodyPublishers.ofString(
                "{\"tokenId\":" + subscribeTokenId + ",\"viewerSessionId\":\"adm-" + runId + "-" + i
                    + "\",\"accountId\":\"" + account + "\"}")).build(),
            204, null);
    say("viewer admissions: %s", admissions);

    // wrk against the same endpoint (run.sh drives it while we wait): the rate this client
    // cannot reach on two cores shared with the services.
    Files.writeString(work.resolve("authorize-body.json"), authBody);
    Files.writeString(work.resolve("internal.key"), internalKey);
    Files.writeString(work.resolve("authorize-url"), tokenUrl + "/internal/authorize");
    Path done = work.resolve("wrk-done");
    while (!Files.exists(done)) {
      Thread.sleep(200);
    }
    String wrk = Files.readString(done).strip();

    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "stream-service viewer-join storm, %s, %d cores, loopback, service JVMs: %s%n",
            Instant.now().toString().substring(0, 16) + "Z",
            Runtime.getRuntime().availableProcessors(),
            javaOpts));
    out.append(
        String.format(
            "driver: java.net.http HTTP/1.1, %d concurrent requests, closed loop; %s%n%n",
            connections, warmupSummary));
    out.append(String.format("%-40s %9s %9s %8s %8s %8s %8s%n", "run", "requests", "per s",
        "p50 ms", "p90 ms", "p99 ms", "max ms"));
    for (int r = 0; r < stormRounds.size(); r++) {
      Round round = stormRounds.get(r);
      out.append(round.storm().row("round " + (r + 1) + ": joins (on_play -> 302)"));
      out.append(round.auth().row("round " + (r + 1) + ": authorize (same driver)"));
    }
    out.append(String.format("%-40s %s%n", "authorize (wrk, same connections)", wrk));
    out.append(admissions.row("capped-token admission (same driver)"));
    out.append(String.format("%n"));
    boolean allSeen = true;
    boolean noneBad = true;
    List<Double> ratios = new ArrayList<>();
    List<Double> p99Ratios = new ArrayList<>();
    for (int r = 0; r < stormRounds.size(); r++) {
      Round round = stormRounds.get(r);
      allSeen &= round.count().count() >= round.expected();
      noneBad &= round.storm().bad == 0 && round.auth().bad == 0;
      double ratio = round.auth().rate() / round.storm().rate();
      ratios.add(ratio);
      p99Ratios.add(round.storm().percentile(99) / round.auth().percentile(99));
      out.append(
          String.format(
              "round %d: %d joins answered 302, %d refused/failed; viewer-joined on Kafka %d of %d;"
                  + " last one %.2f s after the first request (%.0f joins/s end to end);"
                  + " authorize/join rate %.2f; requests retried on a stale connection: %d%n",
              r + 1, round.storm().ok, round.storm().bad, round.count().count(), round.expected(),
              round.untilLastEvent(), round.storm().ok / round.untilLastEvent(), ratio,
              round.storm().retried() + round.auth().retried()));
    }
    double medianRatio = median(ratios);
    out.append(
        String.format(
            "authorize rate / join rate, median of %d rounds: %.2f (rounds: %s; same driver;"
                + " target: a join costs at most about 2)%n",
            ratios.size(), medianRatio, ratios.stream().map(x -> String.format("%.2f", x)).toList()));
    out.append(
        String.format(
            "p99 ratio join/authorize (same driver), median: %.2f%n", median(p99Ratios)));
    String[] wrkColumns = wrk.trim().split("\\s+");
    if (wrkColumns.length > 1 && wrkColumns[1].matches("[0-9.]+")) {
      List<Double> joinRates = stormRounds.stream().map(x -> x.storm().rate()).toList();
      out.append(
          String.format(
              "authorize rate (wrk) / median join rate: %.2f%n",
              Double.parseDouble(wrkColumns[1]) / median(joinRates)));
    }
    // The round whose ratio is the median: its own timers and CPU split.
    Round middle = stormRounds.get(ratios.indexOf(medianRatio));
    out.append(
        String.format(
            "%nround %d (the median ratio), inside stream-service during the storm (its own"
                + " timers):%n",
            stormRounds.indexOf(middle) + 1));
    out.append(middle.inside());
    out.append(
        String.format(
            "%nround %d, CPU from the first storm request until the last viewer-joined was seen"
                + " (%.2f s, %d cores), by process:%n",
            stormRounds.indexOf(middle) + 1, middle.untilKafka(),
            Runtime.getRuntime().availableProcessors()));
    out.append(middle.cpu());
    Files.writeString(work.resolve("report.txt"), out);
    System.out.print(out);
    consumer.close();
    // Stop in order now (ffmpeg, services, media node, then the infrastructure): shutdown hooks
    // run concurrently, and devstack's would stop PostgreSQL under the services still running.
    stopAll();
    System.exit(allSeen && noneBad && admissions.bad == 0 ? 0 : 2);
  }

  /** One storm and the authorisations that followed it. */
  record Round(
      Run storm,
      Run auth,
      Count count,
      long expected,
      double untilKafka,
      double untilLastEvent,
      String inside,
      String cpu) {}

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  /** Outcome of one closed-loop run. */
  record Run(int ok, int bad, int retried, double seconds, long[] nanos) {
    double rate() {
      return (ok + bad) / seconds;
    }

    double percentile(double p) {
      int i = (int) Math.ceil(p / 100.0 * nanos.length) - 1;
      return nanos[Math.max(0, Math.min(nanos.length - 1, i))] / 1e6;
    }

    String row(String label) {
      return String.format("%-40s %9d %9.0f %8.3f %8.3f %8.3f %8.3f%n", label, ok + bad, rate(),
          percentile(50), percentile(90), percentile(99), nanos[nanos.length - 1] / 1e6);
    }

    @Override
    public String toString() {
      return String.format(
          "%d ok, %d bad, %d retried, %.2f s, %.0f/s, p50 %.3f ms, p99 %.3f ms, max %.3f ms",
          ok, bad, retried, seconds, rate(), percentile(50), percentile(99),
          nanos[nanos.length - 1] / 1e6);
    }
  }

  /** Sends {@code total} requests from {@code connections} threads, each waiting for its answer. */
  /**
   * CPU time (user + system, clock ticks) of every process on the machine, summed by role: which
   * part of the platform a join costs how much.
   */
  static Map<String, Long> cpuTicks() throws IOException {
    Map<String, Long> ticks = new LinkedHashMap<>();
    long self = ProcessHandle.current().pid();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(dir.resolve("stat"));
          // Fields after the command (which may hold spaces) : state is field 3, utime 14, stime 15.
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          String cmd = new String(Files.readAllBytes(dir.resolve("cmdline"))).replace('\0', ' ');
          String role =
              Long.parseLong(name) == self ? "driver (this JVM: HTTP client, Kafka counter)"
                  : cmd.contains("token-service") ? "token-service"
                  : cmd.contains("stream-service") ? "stream-service"
                  : cmd.startsWith("postgres") || stat.contains("(postgres)") ? "PostgreSQL"
                  : cmd.contains("kafka") ? "Kafka broker"
                  : cmd.contains("nginx") ? "nginx"
                  : "other";
          ticks.merge(role, cpu, Long::sum);
          if (role.endsWith("-service")) {
            threadTicks(dir, role, ticks);
          }
        } catch (IOException | RuntimeException gone) {
          // The process ended while being read.
        }
      }
    }
    return ticks;
  }

  /**
   * A service's CPU by thread kind ("role / kind"): which of its threads (event loops, the join
   * writer, the outbox relay, JIT compilers, GC) the storm kept busy. Threads that ended during the
   * storm are missing here (their time is in the process total).
   */
  static void threadTicks(Path process, String role, Map<String, Long> ticks) throws IOException {
    try (var tasks = Files.list(process.resolve("task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          // Thread names end in numbers (vert.x-eventloop-thread-1, C2 CompilerThread0): group.
          String kind = comm.replaceAll("[-_ ]?[0-9]+$", "").replaceAll("[0-9]+", "N");
          ticks.merge(role + " / " + kind, cpu, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // The thread ended while being read.
        }
      }
    }
  }

  static String cpuReport(Map<String, Long> before, Map<String, Long> after, int joins, double s) {
    double hz = 100.0; // USER_HZ on Linux
    StringBuilder out = new StringBuilder();
    double total = 0;
    StringBuilder threads = new StringBuilder();
    for (Map.Entry<String, Long> e : new TreeMap<>(after).entrySet()) {
      if (e.getKey().contains(" / ")) {
        double seconds = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / hz;
        if (seconds >= 0.05) {
          threads.append(
              String.format(
                  "    %-46s %7.2f s  %7.0f us per join%n", e.getKey(), seconds, 1e6 * seconds / joins));
        }
      }
    }
    for (Map.Entry<String, Long> e : after.entrySet()) {
      if (e.getKey().contains(" / ")) {
        continue;
      }
      double seconds = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / hz;
      total += seconds;
      out.append(
          String.format(
              "  %-48s %7.2f s  %5.1f%% of the machine  %7.0f us per join%n",
              e.getKey(), seconds, 100 * seconds / (s * Runtime.getRuntime().availableProcessors()),
              1e6 * seconds / joins));
    }
    out.append(
        String.format(
            "  %-48s %7.2f s  %5.1f%% of the machine  %7.0f us per join%n",
            "all", total, 100 * total / (s * Runtime.getRuntime().availableProcessors()),
            1e6 * total / joins));
    out.append("  the services by thread (>= 0.05 s; the thread name's trailing number dropped):\n");
    out.append(threads);
    return out.toString();
  }

  /** stream-service's own timers (token-service calls, join groups) from its /q/metrics. */
  static Map<String, Double> metrics(HttpClient http, String streamUrl) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create(streamUrl + "/q/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    Map<String, Double> values = new java.util.TreeMap<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("beamline_token_service_call")
          || line.startsWith("beamline_token_service_authorize")
          || line.startsWith("beamline_viewer_join")) {
        int space = line.lastIndexOf(' ');
        values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return values;
  }

  /** Means over the storm (differences of sums and counts) and the percentiles of its window. */
  static String inside(Map<String, Double> before, Map<String, Double> after) {
    StringBuilder out = new StringBuilder();
    String[][] meters = {
      {"token-service authorize call", "beamline_token_service_call_seconds", "call=\"authorize\"", "ms"},
      {"token-service viewer-session call", "beamline_token_service_call_seconds",
        "call=\"viewer-session\"", "ms"},
      {"join group write (commit incl.)", "beamline_viewer_join_group_write_seconds", "", "ms"},
      {"joins per group", "beamline_viewer_join_group_size", "", ""},
      {"authorisations per token-service call", "beamline_token_service_authorize_batch_size", "",
        ""}};
    for (String[] m : meters) {
      double count = find(after, m[1] + "_count", m[2], null) - find(before, m[1] + "_count", m[2], null);
      double sum = find(after, m[1] + "_sum", m[2], null) - find(before, m[1] + "_sum", m[2], null);
      if (count <= 0) {
        continue;
      }
      double scale = m[3].equals("ms") ? 1000 : 1;
      double p50 = find(after, m[1] + "{", m[2], "0.5") * scale;
      double p99 = find(after, m[1] + "{", m[2], "0.99") * scale;
      out.append(String.format("  %-36s %8.0f   mean %8.2f   p50 %8.2f   p99 %8.2f %s%n",
          m[0], count, sum / count * scale, p50, p99, m[3]));
    }
    return out.toString();
  }

  /** The value of the first series named {@code prefix...} with label {@code tag} (and quantile). */
  static double find(Map<String, Double> values, String prefix, String tag, String quantile) {
    return values.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix) && e.getKey().contains(tag)
            && (quantile == null ? !e.getKey().contains("quantile=")
                : e.getKey().contains("quantile=\"" + quantile + "\"")))
        .mapToDouble(Map.Entry::getValue).findFirst().orElse(Double.NaN);
  }

  static Run drive(HttpClient http, int connections, int total, IntFunction<HttpRequest> request,
      int okStatus, String okBody) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger bad = new AtomicInteger();
    AtomicInteger retried = new AtomicInteger();
    long[] nanos = new long[total];
    CountDownLatch ready = new CountDownLatch(connections);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      Thread thread =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                  HttpRequest r = request.apply(i);
                  long start = System.nanoTime();
                  try {
                    HttpResponse<String> response;
                    try {
                      response = http.send(r, HttpResponse.BodyHandlers.ofString());
                    } catch (IOException stale) {
                      // The JDK client now and then reuses a pooled connection the server has
                      // just closed ("header parser received no bytes"): once more, counted.
                      retried.incrementAndGet();
                      response = http.send(r, HttpResponse.BodyHandlers.ofString());
                    }
                    nanos[i] = System.nanoTime() - start;
                    if (response.statusCode() == okStatus
                        && (okBody == null || response.body().contains(okBody))) {
                      ok.incrementAndGet();
                    } else if (bad.incrementAndGet() <= 3) {
                      say("unexpected answer %d %s", response.statusCode(), response.body());
                    }
                  } catch (IOException | InterruptedException e) {
                    nanos[i] = System.nanoTime() - start;
                    if (bad.incrementAndGet() <= 3) {
                      say("request failed: %s", e);
                    }
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    ready.await();
    long started = System.nanoTime();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Arrays.sort(nanos);
    return new Run(ok.get(), bad.get(), retried.get(), seconds, nanos);
  }

  record Count(long count, long lastTimestamp, long observedAtMillis) {}

  static KafkaConsumer<String, String> consumer(KafkaBroker kafka) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
    List<TopicPartition> partitions =
        consumer.partitionsFor("viewer-joined", Duration.ofSeconds(10)).stream()
            .map(info -> new TopicPartition(info.topic(), info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /**
   * Reads viewer-joined on from where the consumer is until {@code expected} of our stream's are
   * seen in all ({@code seen} already were).
   */
  static Count countJoined(
      KafkaConsumer<String, String> consumer, long seen, long expected, Duration timeout) {
    long count = seen;
    long last = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    String needle = "\"streamName\":\"" + STREAM + "\"";
    while (count < expected && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
        if (record.value() != null && record.value().contains(needle)) {
          count++;
          last = Math.max(last, record.timestamp());
        }
      }
    }
    return new Count(count, last, System.currentTimeMillis());
  }

  static Map<String, String> commonEnv(Postgres postgres, KafkaBroker kafka, String db, int port) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("QUARKUS_HTTP_HOST", Ports.LOOPBACK);
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(db));
    env.put("QUARKUS_DATASOURCE_USERNAME", postgres.user());
    env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    return env;
  }

  static Process launch(String module, Path repo, String javaOpts, Map<String, String> env)
      throws IOException {
    Path jar = repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectOutput(work.resolve(module + ".log").toFile());
    Process process = builder.start();
    synchronized (PROCESSES) {
      PROCESSES.add(process);
    }
    Files.writeString(work.resolve("pids"), process.pid() + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    return process;
  }

  static void awaitReady(String module, Process process, String url, Path file) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(module + " exited; see " + work.resolve(module + ".log"));
      }
      try {
        HttpResponse<Void> r =
            http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 && (file == null || Files.isRegularFile(file))) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      process.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException(module + " not ready in 120 s");
  }

  static synchronized void stopAll() {
    synchronized (PROCESSES) {
      for (int i = PROCESSES.size() - 1; i >= 0; i--) {
        Process p = PROCESSES.get(i);
        p.destroy();
        try {
          if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          p.destroyForcibly();
        }
      }
      PROCESSES.clear();
    }
    if (mediaNode != null) {
      mediaNode.close();
      mediaNode = null;
    }
    // Kafka, PostgreSQL and S3Proxy: devstack's own cleanup hook stops them too; close them here so
    // that they are gone before this process is.
    try {
      BeamlineInfraResource.s3().close();
      BeamlineInfraResource.kafka().close();
      BeamlineInfraResource.postgres().close();
    } catch (RuntimeException e) {
      say("stopping the infrastructure: %s", e);
    }
  }

  static String get(HttpClient http, String url, String key) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
            .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static String post(HttpClient http, String url, String key, String body) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** The first {@code "name":value} of a JSON text (string or number), enough for these answers. */
  static String field(String json, String name) {
    Matcher m =
        Pattern.compile("\"" + name + "\"\\s*:\\s*(?:\"([^\"]*)\"|(-?[0-9]+))").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1) != null ? m.group(1) : m.group(2);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  static void say(String format, Object... args) {
    System.err.printf("[join-bench] " + format + "%n", args);
  }
}
