package io.beamline.recording.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.recording.config.RecordingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads the metadata of a stored recording with ffprobe, straight from its (pre-signed) URL. */
@ApplicationScoped
public class Ffprobe {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String executable;

  public Ffprobe(RecordingConfig config) {
    this.executable = config.egress().ffprobe();
  }

  /** Probes {@code url}; fails when ffprobe cannot read it as media. */
  public MediaMetadata probe(String url) throws IOException {
    Process process =
        new ProcessBuilder(
                executable,
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                url)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] out;
    try (var stdout = process.getInputStream()) {
      out = stdout.readAllBytes();
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("ffprobe did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while probing", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException("ffprobe exited with " + process.exitValue());
    }
    return parse(new String(out, StandardCharsets.UTF_8));
  }

  /** Reads ffprobe's {@code -show_format -show_streams} JSON. */
  static MediaMetadata parse(String json) throws IOException {
    JsonNode root = JSON.readTree(json);
    JsonNode format = root.path("format");
    List<MediaMetadata.MediaTrack> tracks = new ArrayList<>();
    for (JsonNode stream : root.path("streams")) {
      String type = stream.path("codec_type").asText();
      if ("video".equals(type)) {
        tracks.add(
            new MediaMetadata.MediaTrack(
                type,
                stream.path("codec_name").asText(null),
                longOrNull(stream.path("bit_rate")),
                intOrNull(stream.path("width")),
                intOrNull(stream.path("height")),
                rate(stream.path("avg_frame_rate").asText(null)),
                null,
                null));
      } else if ("audio".equals(type)) {
        tracks.add(
            new MediaMetadata.MediaTrack(
                type,
                stream.path("codec_name").asText(null),
                longOrNull(stream.path("bit_rate")),
                null,
                null,
                null,
                intOrNull(stream.path("channels")),
                intOrNull(stream.path("sample_rate"))));
      }
    }
    if (tracks.isEmpty()) {
      throw new IOException("no audio or video track");
    }
    String formatName = format.path("format_name").asText("");
    return new MediaMetadata(
        formatName.contains("mp4") ? "mp4" : formatName,
        longOrZero(format.path("size")),
        format.path("duration").asDouble(0),
        longOrNull(format.path("bit_rate")),
        tracks);
  }

  private static Long longOrNull(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    try {
      return Long.parseLong(node.asText());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long longOrZero(JsonNode node) {
    Long value = longOrNull(node);
    return value == null ? 0 : value;
  }

  private static Integer intOrNull(JsonNode node) {
    Long value = longOrNull(node);
    return value == null ? null : value.intValue();
  }

  private static Double rate(String fraction) {
    if (fraction == null || !fraction.contains("/")) {
      return null;
    }
    String[] parts = fraction.split("/");
    try {
      double den = Double.parseDouble(parts[1]);
      return den == 0 ? null : Math.round(Double.parseDouble(parts[0]) / den * 1000) / 1000.0;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
