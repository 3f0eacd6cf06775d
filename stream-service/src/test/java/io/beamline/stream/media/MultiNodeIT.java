package io.beamline.stream.media;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.devstack.MediaNode;
import io.beamline.devstack.Ports;
import io.beamline.devstack.test.BeamlineInfraResource;
import io.beamline.devstack.test.MediaStack;
import io.beamline.devstack.test.ServiceProcess;
import io.beamline.devstack.test.TestMedia;
import io.beamline.events.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real media nodes in two clusters, each driven by its own stream-service instance (one
 * database, one broker): the Director of either instance sends a publisher pinned to the other
 * cluster to that cluster's node, and its viewers to the node that carries the stream, where
 * ffprobe plays it over RTMP and HLS.
 */
class MultiNodeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration PROBE = Duration.ofSeconds(15);

  private static MediaStack stack;
  private static MediaNode euNode;
  private static ServiceProcess euService;
  private static String euUrl;
  private static final List<Process> media = new ArrayList<>();

  @BeforeAll
  static void startSecondClusterNode() throws Exception {
    BeamlineInfraResource infra = new BeamlineInfraResource();
    infra.init(Map.of(BeamlineInfraResource.DATABASE, "stream"));
    Map<String, String> config = infra.start();
    stack = MediaStack.start(); // token-service, stream-service "local-1" and its node

    Path dir = Path.of("target/multi-node-it").toAbsolutePath();
    Files.createDirectories(dir);
    int port = Ports.freePort();
    int trafficLogPort = Ports.freePort();
    euNode =
        MediaNode.builder()
            .callbackUrl("http://127.0.0.1:" + port)
            .trafficLog("127.0.0.1:" + trafficLogPort)
            .dataDir(dir.resolve("eu-node"))
            .logFile(dir.resolve("eu-node.log"))
            .build();
    euNode.start();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_DATASOURCE_JDBC_URL", config.get("quarkus.datasource.jdbc.url"));
    env.put("QUARKUS_DATASOURCE_USERNAME", config.get("quarkus.datasource.username"));
    env.put("QUARKUS_DATASOURCE_PASSWORD", config.get("quarkus.datasource.password"));
    env.put("KAFKA_BOOTSTRAP_SERVERS", config.get("kafka.bootstrap.servers"));
    env.put("BEAMLINE_OUTBOX_POLL_INTERVAL", "100ms");
    env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", stack.jwksUrl());
    env.put("MP_JWT_VERIFY_ISSUER", stack.issuer());
    env.put("BEAMLINE_STREAM_TOKEN_SERVICE_URL", stack.tokenServiceUrl());
    env.put("BEAMLINE_STREAM_TOKEN_SERVICE_INTERNAL_KEY_FILE", stack.internalKeyFile().toString());
    env.put("BEAMLINE_STREAM_MEDIA_JWT_SECRET", stack.mediaJwtSecret());
    env.put("BEAMLINE_STREAM_MEDIA_NODE_ID", "eu-1");
    env.put("BEAMLINE_STREAM_MEDIA_NODE_CLUSTER_ID", "eu");
    env.put("BEAMLINE_STREAM_MEDIA_NODE_RTMP_URL", euNode.rtmpUrl());
    env.put("BEAMLINE_STREAM_MEDIA_NODE_HLS_URL", euNode.httpUrl());
    env.put("BEAMLINE_STREAM_MEDIA_NODE_CONTROL_URL", euNode.controlUrl());
    env.put("BEAMLINE_STREAM_MEDIA_NODE_CALLBACK_KEY", euNode.callbackKey());
    env.put("BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_PORT", Integer.toString(trafficLogPort));
    env.put("BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_HOST", "127.0.0.1");
    env.put("BEAMLINE_STREAM_STAT_INTERVAL", "1s");
    Path jar =
        Path.of(System.getProperty("beamline.stream.jar", "target/quarkus-app/quarkus-run.jar"));
    euUrl = "http://127.0.0.1:" + port;
    euService = new ServiceProcess(jar, port, env, dir.resolve("stream-eu.log")).start();
    euService.awaitReady(Duration.ofSeconds(90));
  }

  @AfterAll
  static void stopAll() throws Exception {
    for (Process p : media) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (euService != null) {
      euService.close();
    }
    if (euNode != null) {
      euNode.close();
    }
  }

  @Test
  void shouldPublishAndPlayThroughTheNodeOfTheChosenCluster() throws Exception {
    String local = stack.streamServiceUrl();
    String eu = euUrl;
    // Both instances list both nodes, each with the URLs it announced.
    for (String instance : List.of(local, eu)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> clusters(instance).size() == 2);
      Map<String, String> rtmp = clusters(instance);
      assertEquals(stack.mediaNode().rtmpUrl(), rtmp.get("local"), instance);
      assertEquals(euNode.rtmpUrl(), rtmp.get("eu"), instance);
    }

    String stream = "cam-multi-" + System.nanoTime();
    JsonNode publishToken =
        tokenService(
                "/api/publish_token",
                "{\"label\":\"eu\",\"streams\":[{\"streamName\":\""
                    + stream
                    + "\"}],\"originCluster\":\"eu\"}")
            .get("data");
    // The local instance's Director sends the publisher to the eu node.
    JsonNode publish =
        director(local, "/api/director/publish", publishToken.get("token").asText(), stream);
    assertEquals("eu", publish.get("clusterId").asText(), publish.toString());
    String publishUrl = publish.get("urls").get(0).asText();
    assertTrue(publishUrl.startsWith(euNode.rtmpUrl() + "/" + stream + "?jwt="), publishUrl);
    media.add(
        TestMedia.start(
            TestMedia.publishCommand(publishUrl, "testsrc=size=320x240:rate=15", true, 60, 15),
            Path.of("target/multi-node-it/publisher.log")));

    String account = publish.get("streamAccountId").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "live".equals(monitoring(local, stream).path("state").asText()));
    JsonNode live = monitoring(local, stream);
    assertEquals("eu-1", live.get("feeds").get(0).get("serverId").asText(), live.toString());

    JsonNode subscribeToken =
        tokenService(
                "/api/subscribe_token",
                "{\"label\":\"eu viewers\",\"streams\":[{\"streamName\":\"" + stream + "\"}]}")
            .get("data");
    // Viewers are sent where the stream is, whichever instance they ask.
    for (String instance : List.of(local, eu)) {
      JsonNode watch =
          director(
              instance, "/api/director/subscribe", subscribeToken.get("token").asText(), stream);
      assertEquals("eu", watch.get("clusterId").asText(), watch.toString());
      String rtmp = url(watch, "rtmp");
      String hls = url(watch, "hls");
      assertTrue(rtmp.startsWith(euNode.rtmpUrl() + "/"), rtmp);
      assertTrue(hls.startsWith(euNode.httpUrl() + "/"), hls);
      assertEquals(
          List.of("h264"), TestMedia.codecs(rtmp, "v:0", PROBE), "RTMP from eu via " + instance);
      assertEquals(
          List.of("h264"), TestMedia.codecs(hls, "v:0", PROBE), "HLS from eu via " + instance);
    }

    // Every viewer-joined of the stream names the eu cluster and node.
    String key = account + "/" + stream;
    await().atMost(Duration.ofSeconds(20)).until(() -> viewerJoined(key).size() >= 4);
    for (JsonNode joined : viewerJoined(key)) {
      assertEquals("eu", joined.get("clusterId").asText(), joined.toString());
      assertEquals("eu-1", joined.get("mediaNodeId").asText(), joined.toString());
    }
  }

  private static Map<String, String> clusters(String instance) throws Exception {
    JsonNode body = get(instance + "/api/cluster", stack.operatorKey());
    Map<String, String> rtmp = new LinkedHashMap<>();
    for (JsonNode cluster : body.get("data").get("availableClusters")) {
      rtmp.put(cluster.get("id").asText(), cluster.path("rtmp").asText());
    }
    return rtmp;
  }

  private static JsonNode monitoring(String instance, String stream) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(instance + "/api/monitoring/streams/" + stream))
                .header("Authorization", "Bearer " + stack.operatorKey())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? JSON.readTree(r.body()).get("data") : JSON.nullNode();
  }

  private static List<JsonNode> viewerJoined(String key) throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (ConsumerRecord<String, String> r :
        BeamlineInfraResource.kafka().readTopic(Topics.VIEWER_JOINED, Duration.ofSeconds(10))) {
      if (key.equals(r.key())) {
        found.add(JSON.readTree(r.value()));
      }
    }
    return found;
  }

  private static JsonNode director(String instance, String path, String token, String stream)
      throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(instance + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"streamName\":\"" + stream + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body()).get("data");
  }

  private static JsonNode tokenService(String path, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.tokenServiceUrl() + path))
                .header("Authorization", "Bearer " + stack.operatorKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() < 300, path + " -> " + r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }

  private static JsonNode get(String url, String bearer) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + bearer)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private static String url(JsonNode director, String protocol) {
    for (JsonNode u : director.get("mediaUrls")) {
      if (protocol.equals(u.get("protocol").asText())) {
        return u.get("url").asText();
      }
    }
    throw new AssertionError("no " + protocol + " URL in " + director);
  }
}
