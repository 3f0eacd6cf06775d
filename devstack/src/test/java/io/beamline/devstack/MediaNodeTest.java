package io.beamline.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nginx-rtmp media node starts on ephemeral loopback ports and leaves no process behind. */
class MediaNodeTest {

  @Test
  void startsAnswersAndStopsWithItsWorkers() throws Exception {
    MediaNode node = MediaNode.builder().callbackUrl("http://127.0.0.1:1/").build();
    Path dataDir = node.dataDir();
    try {
      node.start();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> stat =
          http.send(
              HttpRequest.newBuilder(URI.create(node.controlUrl() + "/stat")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, stat.statusCode());
      assertTrue(stat.body().contains("<name>live</name>"), stat.body());
      // HLS is never served without stream-service's word: its callback here is unreachable.
      HttpResponse<Void> hls =
          http.send(
              HttpRequest.newBuilder(URI.create(node.httpUrl() + "/hls/x/f1.m3u8")).build(),
              HttpResponse.BodyHandlers.discarding());
      assertEquals(500, hls.statusCode());
      assertTrue(Ports.isListening(Ports.LOOPBACK, node.rtmpPort(), 1000));
      String conf = Files.readString(dataDir.resolve("nginx.conf"));
      assertTrue(
          conf.contains(
              "on_publish http://127.0.0.1:1/media/nginx/publish?key=" + node.callbackKey() + ";"),
          conf);
      assertTrue(node.callbackKey().matches("[0-9a-f]{64}"), "a random hex callback key");
      assertFalse(conf.matches("(?s).*@(RTMP|HTTP|CONTROL|DATA|CALLBACK|USER)[A-Z_]*@.*"), conf);
    } finally {
      ProcessHandle master = node.processHandle().orElseThrow();
      List<ProcessHandle> workers = master.descendants().toList();
      assertFalse(workers.isEmpty(), "nginx runs workers");
      node.close();
      assertFalse(master.isAlive());
      for (ProcessHandle worker : workers) {
        worker.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(worker.isAlive(), "worker " + worker.pid() + " stopped");
      }
      assertFalse(Files.exists(dataDir), "temporary data deleted");
      assertFalse(Ports.isListening(Ports.LOOPBACK, node.rtmpPort(), 500));
    }
  }
}
