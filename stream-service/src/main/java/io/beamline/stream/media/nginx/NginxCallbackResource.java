package io.beamline.stream.media.nginx;

import io.beamline.stream.config.StreamConfig;
import io.beamline.stream.media.HlsRenditions;
import io.beamline.stream.media.MediaAnswer;
import io.beamline.stream.media.MediaGateway;
import io.beamline.stream.media.PublishAttempt;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The nginx-rtmp adapter: its form-POST callbacks and the HLS {@code auth_request}, mapped onto the
 * server-neutral {@link MediaGateway}. nginx reads 2xx as allow, 3xx with a bare name in {@code
 * Location} as "use this name", anything else as deny.
 */
@Path("/media/nginx")
@Tag(name = "Media node callbacks")
public class NginxCallbackResource {

  private static final Pattern HLS_URI =
      Pattern.compile("^/hls/([^/?]+)/([A-Za-z0-9_]+)(?:-\\d+)?\\.(?:m3u8|ts)(?:\\?.*)?$");

  private static final Pattern MASTER_URI =
      Pattern.compile("^/hls/([^/?]+)/master\\.m3u8(?:\\?(.*))?$");

  private static final Pattern RENDITION_URI =
      Pattern.compile("^/hls/([^/?]+)/(r[va]-[A-Za-z0-9-]+)\\.m3u8(?:\\?.*)?$");

  private final MediaGateway gateway;
  private final HlsRenditions renditions;
  private final StreamConfig.MediaNode node;

  public NginxCallbackResource(
      MediaGateway gateway, HlsRenditions renditions, StreamConfig config) {
    this.gateway = gateway;
    this.renditions = renditions;
    this.node = config.mediaNode();
  }

  @POST
  @Path("/publish")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "on_publish: may this encoder publish? 302 to the feed id, or 403")
  public Response publish(MultivaluedMap<String, String> form) {
    MediaAnswer answer =
        gateway.publish(
            new PublishAttempt(
                node.id(),
                form.getFirst("clientid"),
                form.getFirst("name"),
                form.getFirst("addr"),
                NginxForms.blankToNull(form.getFirst("token")),
                NginxForms.blankToNull(form.getFirst("jwt")),
                form.getFirst("sourceId"),
                integer(form.getFirst("priority")),
                form.getFirst("simulcastId"),
                flag(form, "noRecord"),
                flag(form, "noRestream"),
                "rtmp"));
    return toNginx(answer);
  }

  @POST
  @Path("/publish-done")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "on_publish_done: a publisher left")
  public Response publishDone(MultivaluedMap<String, String> form) {
    gateway.publishEnded(node.id(), form.getFirst("clientid"));
    return Response.ok().build();
  }

  @POST
  @Path("/play")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "on_play: may this RTMP viewer play? 302 to the active feed, or 403")
  public Response play(MultivaluedMap<String, String> form) {
    // Normally answered by PlayRoute before this resource; this serves the requests it hands on.
    MediaAnswer answer = gateway.play(NginxForms.playAttempt(node.id(), form::getFirst));
    return toNginx(answer);
  }

  @POST
  @Path("/play-done")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "on_play_done: an RTMP viewer left")
  public Response playDone(MultivaluedMap<String, String> form) {
    if (!isRelay(form)) {
      gateway.playEnded(node.id(), form.getFirst("clientid"));
    }
    return Response.ok().build();
  }

  @POST
  @Path("/update")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Operation(summary = "on_update: may this session go on? 403 drops a stopped or revoked one")
  public Response update(MultivaluedMap<String, String> form) {
    if (isRelay(form)) {
      return Response.ok().build();
    }
    boolean publisher = "update_publish".equals(form.getFirst("call"));
    return gateway.stillAllowed(node.id(), form.getFirst("clientid"), publisher)
        ? Response.ok().build()
        : Response.status(403).build();
  }

  @GET
  @Path("/hls-auth")
  @Operation(summary = "auth_request for HLS: 200 serves the file, 403 refuses it")
  public Response hlsAuth(
      @HeaderParam("X-Original-URI") String uri, @HeaderParam("X-Real-IP") String clientIp) {
    if (uri == null || clientIp == null) {
      return Response.status(403).build();
    }
    Matcher m = HLS_URI.matcher(uri);
    if (!m.matches()) {
      return Response.status(403).build();
    }
    return gateway.hlsRequest(m.group(1), m.group(2), clientIp)
        ? Response.ok().build()
        : Response.status(403).build();
  }

  @GET
  @Path("/hls-master")
  @Operation(
      summary = "HLS master playlist: simulcast renditions and alternate audio of a live stream")
  public Response hlsMaster(
      @HeaderParam("X-Original-URI") String uri, @HeaderParam("X-Real-IP") String clientIp) {
    if (uri == null || clientIp == null) {
      return Response.status(403).build();
    }
    Matcher m = MASTER_URI.matcher(uri);
    if (!m.matches()) {
      return Response.status(403).build();
    }
    String sourceId = null;
    if (m.group(2) != null) {
      for (String pair : m.group(2).split("&")) {
        if (pair.startsWith("sourceId=")) {
          try {
            sourceId = URLDecoder.decode(pair.substring(9), StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            return Response.status(400).build(); // a malformed %-escape
          }
        }
      }
    }
    return playlist(
        gateway.hlsMaster(
            m.group(1), clientIp, sourceId == null || sourceId.isBlank() ? null : sourceId));
  }

  @GET
  @Path("/hls-rendition")
  @Operation(
      summary =
          "HLS media playlist of a rendition: the feed that carries it now, continuous across"
              + " failovers")
  public Response hlsRendition(
      @HeaderParam("X-Original-URI") String uri, @HeaderParam("X-Real-IP") String clientIp) {
    Matcher m = uri == null ? null : RENDITION_URI.matcher(uri);
    if (m == null || clientIp == null || !m.matches()) {
      return Response.status(403).build();
    }
    return playlist(renditions.playlist(m.group(1), m.group(2), clientIp));
  }

  private static Response playlist(MediaGateway.Playlist playlist) {
    return playlist.status() == 200
        ? Response.ok(playlist.text()).type("application/vnd.apple.mpegurl").build()
        : Response.status(playlist.status()).build();
  }

  private static Response toNginx(MediaAnswer answer) {
    if (!answer.allowed()) {
      return Response.status(403).entity(answer.reason()).type(MediaType.TEXT_PLAIN).build();
    }
    if (answer.mediaName() == null) {
      return Response.ok().build();
    }
    // A bare name (not a URI): nginx renames the stream to it; rtmp://... would make a relay.
    return Response.status(302).header("Location", answer.mediaName()).build();
  }

  private static boolean isRelay(MultivaluedMap<String, String> form) {
    return NginxForms.isRelay(form::getFirst);
  }

  private static boolean flag(MultivaluedMap<String, String> form, String name) {
    // Reference publishing parameters may be valueless (?noRecord) or true/false.
    if (!form.containsKey(name)) {
      return false;
    }
    String value = form.getFirst(name);
    return value == null || value.isBlank() || Boolean.parseBoolean(value) || "1".equals(value);
  }

  private static Integer integer(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
