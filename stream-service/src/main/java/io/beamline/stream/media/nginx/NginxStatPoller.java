package io.beamline.stream.media.nginx;

import io.beamline.stream.Feed;
import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.service.NodeDuty;
import io.beamline.stream.service.StreamLifecycle;
import io.beamline.stream.service.StreamTraffic;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the node's {@code /stat} XML for byte counters, which no nginx callback carries, and keeps
 * each live feed's {@code bytes_in} current (reported in {@code feed-ended} and monitoring).
 */
@ApplicationScoped
public class NginxStatPoller {

  private static final Duration MISSING_GRACE = Duration.ofSeconds(10);

  private final StreamLifecycle lifecycle;
  private final StreamTraffic traffic;
  private final NodeDuty duty;
  private Set<String> missingBefore = Set.of();
  private final StreamConfig.MediaNode node;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  public NginxStatPoller(
      StreamLifecycle lifecycle, StreamTraffic traffic, NodeDuty duty, StreamConfig config) {
    this.lifecycle = lifecycle;
    this.traffic = traffic;
    this.duty = duty;
    this.node = config.mediaNode();
  }

  @Scheduled(
      every = "${beamline.stream.stat-interval:5s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void poll() {
    if (!duty.mine()) {
      return; // another instance driving this node reads it
    }
    Instant countedFrom = duty.heldSince();
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(URI.create(node.controlUrl() + "/stat"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        return;
      }
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
      NodeList streams = doc.getElementsByTagName("stream");
      Set<String> onNode = new HashSet<>();
      Map<String, Feed> live = new HashMap<>();
      lifecycle.liveFeedsOfNode(node.id()).forEach(f -> live.put(f.id, f));
      Map<String, Integer> viewers = lifecycle.rtmpViewersByFeed(node.id());
      for (int i = 0; i < streams.getLength(); i++) {
        Element stream = (Element) streams.item(i);
        Element app = (Element) stream.getParentNode().getParentNode();
        String appName = text(app, "name");
        if (!node.app().equals(appName)) {
          continue; // the internal HLS application repeats the same bytes
        }
        String name = text(stream, "name");
        String bytesIn = text(stream, "bytes_in");
        if (name != null && bytesIn != null && name.startsWith("f")) {
          onNode.add(name);
          lifecycle.feedBytes(name, Long.parseLong(bytesIn));
          Feed feed = live.get(name);
          if (feed != null) {
            recordMedia(feed, stream);
          }
          if (feed != null) {
            // nclients counts the publisher too; the rest play the feed, the HLS relay included.
            long perPlayer =
                traffic.observe(
                    feed,
                    Long.parseLong(bytesIn),
                    number(text(stream, "bytes_out")),
                    (int) number(text(stream, "nclients")) - 1,
                    viewers.getOrDefault(name, 0),
                    countedFrom);
            if (perPlayer > 0) {
              // Each RTMP session of the feed is credited its share when it ends, so viewer-left
              // carries the bytes a viewer received (as of the last reading) for per-country and
              // per-partner figures.
              lifecycle.addPlayerBytes(name, perPlayer);
            }
          }
        }
      }
      traffic.forgetFeedsExcept(onNode);
      reconcile(onNode);
    } catch (java.io.IOException e) {
      Log.debugf("media node /stat unreachable: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      Log.warnf("media node /stat unreadable: %s", e.getMessage());
    }
  }

  /**
   * Ends feeds the node no longer carries (a node restart, or a lost {@code on_publish_done}):
   * absent from two reads in a row and older than the grace period, they time out.
   */
  private void reconcile(Set<String> onNode) {
    Instant grace = Instant.now().minus(MISSING_GRACE);
    Set<String> missing = new HashSet<>();
    for (Feed feed : lifecycle.liveFeedsOfNode(node.id())) {
      if (!onNode.contains(feed.id) && feed.startedAt.isBefore(grace)) {
        missing.add(feed.id);
        if (missingBefore.contains(feed.id) && lifecycle.endFeed(feed.id, "timeout")) {
          Log.infof("feed %s is gone from media node %s: ended", feed.id, node.id());
        }
      }
    }
    missingBefore = missing;
  }

  /** Stores the codecs, picture size and bit rate the node reports, when they changed. */
  private void recordMedia(Feed feed, Element stream) {
    Element meta = child(stream, "meta");
    if (meta == null) {
      return;
    }
    Element video = child(meta, "video");
    Element audio = child(meta, "audio");
    String videoCodec = video == null ? null : blankToNull(text(video, "codec"));
    String audioCodec = audio == null ? null : blankToNull(text(audio, "codec"));
    Integer width = videoCodec == null ? null : (int) number(text(video, "width"));
    Integer height = videoCodec == null ? null : (int) number(text(video, "height"));
    Long bandwidth = number(text(stream, "bw_in"));
    boolean same =
        java.util.Objects.equals(videoCodec, feed.videoCodec)
            && java.util.Objects.equals(audioCodec, feed.audioCodec)
            && java.util.Objects.equals(width, feed.videoWidth)
            && java.util.Objects.equals(height, feed.videoHeight)
            && feed.bandwidth != null
            && Math.abs(feed.bandwidth - bandwidth) < feed.bandwidth / 5 + 1;
    if ((videoCodec != null || audioCodec != null) && !same) {
      lifecycle.feedMedia(feed.id, videoCodec, audioCodec, width, height, bandwidth);
    }
  }

  private static Element child(Element parent, String name) {
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static long number(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String text(Element parent, String child) {
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(child)) {
        return e.getTextContent().strip();
      }
    }
    return null;
  }
}
