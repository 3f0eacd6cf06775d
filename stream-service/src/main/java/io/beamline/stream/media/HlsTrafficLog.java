package io.beamline.stream.media;

import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.HlsViewerBytes;
import io.beamline.stream.service.MediaGrant;
import io.beamline.stream.service.MediaJwts;
import io.beamline.stream.service.StreamTraffic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Receives the media node's HLS traffic log over UDP (nginx {@code access_log syslog:}, one
 * datagram per file served) and credits the bytes to the viewer's session and the stream's {@code
 * stream-stats}: nginx-rtmp's {@code /stat} counts RTMP players only.
 */
@ApplicationScoped
public class HlsTrafficLog {

  /**
   * The message nginx writes ({@code log_format beamline_hls}): key, request URI, bytes, status.
   */
  private static final Pattern LINE =
      Pattern.compile(
          "(\\S+) /hls/([^/?\\s]+)/([A-Za-z0-9_]+)[^/\\s]*\\.(?:ts|m3u8)(?:\\?\\S*)? (\\d+)"
              + " (\\d{3})\\s*$");

  private final StreamConfig.MediaNode node;
  private final MediaJwts jwts;
  private final HlsViewerBytes viewerBytes;
  private final StreamTraffic traffic;
  private final Vertx vertx;
  private final Counter bytesCounted;
  private final Counter linesRefused;
  private final Map<String, MediaGrant> grantsByJwt = new ConcurrentHashMap<>();
  // Reading a grant needs the database: lines are handled off the event loop, in arrival order.
  private final ThreadPoolExecutor worker =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(100_000),
          runnable -> new Thread(runnable, "hls-traffic-log"),
          (runnable, executor) -> {
            throw new RejectedExecutionException("HLS traffic log backlog full");
          });
  private DatagramSocket socket;

  public HlsTrafficLog(
      StreamConfig config,
      MediaJwts jwts,
      HlsViewerBytes viewerBytes,
      StreamTraffic traffic,
      Vertx vertx,
      MeterRegistry metrics) {
    this.node = config.mediaNode();
    this.jwts = jwts;
    this.viewerBytes = viewerBytes;
    this.traffic = traffic;
    this.vertx = vertx;
    this.bytesCounted = metrics.counter("beamline.media.hls.bytes.out");
    this.linesRefused = metrics.counter("beamline.media.hls.traffic.lines.refused");
  }

  void start(@Observes StartupEvent startup) throws Exception {
    if (node.trafficLogPort().isEmpty()) {
      Log.infof(
          "HLS bytes out are not measured: BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_PORT is unset");
      return;
    }
    int port = node.trafficLogPort().getAsInt();
    socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(1 << 20));
    socket.handler(
        packet -> {
          String line = packet.data().toString(StandardCharsets.UTF_8);
          try {
            worker.execute(() -> acceptQuietly(line));
          } catch (RejectedExecutionException full) {
            linesRefused.increment();
          }
        });
    CompletableFuture<Void> bound = new CompletableFuture<>();
    socket
        .listen(port, node.trafficLogHost())
        .onSuccess(s -> bound.complete(null))
        .onFailure(bound::completeExceptionally);
    bound.get(10, TimeUnit.SECONDS);
    Log.infof(
        "HLS traffic log of media node %s on udp %s:%d", node.id(), node.trafficLogHost(), port);
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (socket != null) {
      socket.close();
    }
    worker.shutdown();
  }

  private void acceptQuietly(String line) {
    try {
      accept(line);
    } catch (RuntimeException e) {
      // A number too long for a long, or the database unreachable for a grant: the line is lost.
      linesRefused.increment();
      Log.debugf("HLS traffic-log line not counted: %s", e.toString());
    }
  }

  /** One line of the log; anything without the node's key, unparseable or refused is ignored. */
  void accept(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.find() || !keyMatches(m.group(1))) {
      linesRefused.increment();
      return;
    }
    int status = Integer.parseInt(m.group(5));
    long bytes = Long.parseLong(m.group(4));
    if (status / 100 != 2 || bytes <= 0) {
      return; // refused (403) or nothing sent
    }
    Optional<MediaGrant> grant = grant(m.group(2));
    if (grant.isEmpty() || !MediaGrant.SUBSCRIBE.equals(grant.get().action())) {
      linesRefused.increment();
      return;
    }
    viewerBytes.add(grant.get().id(), bytes);
    traffic.hlsBytesOut(grant.get().streamId(), m.group(3), bytes); // files are named by feed
    bytesCounted.increment(bytes);
  }

  /** The grant of a media JWT, remembered: a viewer's every segment carries the same one. */
  private Optional<MediaGrant> grant(String jwt) {
    MediaGrant known = grantsByJwt.get(jwt);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<MediaGrant> grant = jwts.read(jwt);
    if (grant.isPresent()) {
      if (grantsByJwt.size() >= 50_000) {
        grantsByJwt.clear(); // read again when needed
      }
      grantsByJwt.put(jwt, grant.get());
    }
    return grant;
  }

  private boolean keyMatches(String key) {
    // Without a configured key (development) any sender is believed, like the callbacks.
    return node.callbackKey()
        .map(
            expected ->
                MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8),
                    key.getBytes(StandardCharsets.UTF_8)))
        .orElse(true);
  }
}
