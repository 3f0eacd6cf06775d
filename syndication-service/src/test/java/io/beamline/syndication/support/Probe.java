package io.beamline.syndication.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads a live RTMP stream with ffprobe, as a viewer on the partner platform would. */
public final class Probe {

  private Probe() {}

  /** The codec names ffprobe finds in {@code url} (empty when it cannot read it in 10 s). */
  public static List<String> codecs(String url) {
    try {
      Process p =
          new ProcessBuilder(
                  "ffprobe",
                  "-v",
                  "error",
                  "-rw_timeout",
                  "5000000",
                  "-show_entries",
                  "stream=codec_name",
                  "-of",
                  "csv=p=0",
                  url)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return List.of();
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return out.lines().map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
