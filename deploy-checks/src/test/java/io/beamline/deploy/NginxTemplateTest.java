package io.beamline.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The media node's nginx template: its placeholders, its callbacks, and nginx -t when present. */
class NginxTemplateTest {

  static final Set<String> PLACEHOLDERS =
      Set.of(
          "STREAM_SERVICE_URL",
          "MEDIA_CALLBACK_KEY",
          "RTMP_PORT",
          "HTTP_PORT",
          "CONTROL_PORT",
          "TRAFFIC_LOG");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");
  private static final Path RTMP_MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");

  @Test
  void templateUsesExactlyThePlaceholdersTheEntrypointRenders() throws IOException {
    String template = Files.readString(RepoFiles.resolve("media-node/nginx.conf.template"));
    String entrypoint = Files.readString(RepoFiles.resolve("media-node/docker-entrypoint.sh"));
    Matcher envsubst = Pattern.compile("envsubst '([^']+)'").matcher(entrypoint);
    assertTrue(envsubst.find(), "the entrypoint restricts envsubst to named variables");

    assertEquals(PLACEHOLDERS, placeholders(template));
    assertEquals(PLACEHOLDERS, placeholders(envsubst.group(1)));
  }

  @Test
  void callbacksGoToStreamServiceMediaEndpoints() throws IOException {
    String template = Files.readString(RepoFiles.resolve("media-node/nginx.conf.template"));
    for (String callback :
        new String[] {"on_publish", "on_publish_done", "on_play", "on_play_done", "on_update"}) {
      Matcher m = Pattern.compile("\\n\\s*" + callback + " (\\S+);").matcher(template);
      assertTrue(m.find(), () -> "no " + callback);
      assertTrue(
          m.group(1).startsWith("${STREAM_SERVICE_URL}/media/nginx/"), () -> callback + " URL");
      assertTrue(
          m.group(1).endsWith("?key=${MEDIA_CALLBACK_KEY}"), () -> callback + " carries the key");
    }
    assertTrue(template.contains("auth_request /auth/hls;"));
    assertTrue(
        template.contains(
            "proxy_pass ${STREAM_SERVICE_URL}/media/nginx/hls-auth?key=${MEDIA_CALLBACK_KEY};"));
    assertTrue(template.contains("rtmp_stat all;"));
    assertTrue(template.contains("rtmp_control all;"));
  }

  @Test
  void renditionPlaylistsComeFromStreamServiceInBothTemplates() throws IOException {
    for (String path :
        List.of(
            "media-node/nginx.conf.template",
            "devstack/src/main/resources/io/beamline/devstack/media-node/nginx.conf.template")) {
      String template = Files.readString(RepoFiles.resolve(path));
      int rendition = template.indexOf("location ~ ^/hls/[^/]+/r[va]-[A-Za-z0-9-]+\\.m3u8$ {");
      int files = template.indexOf("location ~ ^/hls/[^/]+/([A-Za-z0-9_-]+\\.(m3u8|ts))$ {");
      assertTrue(rendition > 0 && files > 0, path);
      // nginx tries regex locations in order: the file location would match a rendition's name.
      assertTrue(rendition < files, path + ": the rendition location must come first");
      assertTrue(template.contains("/media/nginx/hls-rendition?key="), path);
      assertTrue(template.contains("location ~ ^/hls-files/([A-Za-z0-9_]+\\.m3u8)$ {"), path);
    }
  }

  @Test
  void renderedTemplatePassesNginxConfigTest(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/sbin/nginx")) && Files.exists(RTMP_MODULE),
        "nginx with libnginx-mod-rtmp is not installed");
    String rendered =
        render(
            Files.readString(RepoFiles.resolve("media-node/nginx.conf.template")),
            Map.of(
                "STREAM_SERVICE_URL", "http://127.0.0.1:18082",
                "MEDIA_CALLBACK_KEY", "0123abcd",
                "RTMP_PORT", "19350",
                "HTTP_PORT", "18080",
                "CONTROL_PORT", "18086",
                "TRAFFIC_LOG",
                    "syslog:server=127.0.0.1:18087,tag=beamline_hls,nohostname beamline_hls"));
    // The image creates the media directory (Dockerfile); this machine need not have it, and
    // nginx -t creates the HLS directory inside it.
    Path media = Files.createDirectories(dir.resolve("beamline-media"));
    rendered = rendered.replace("/var/lib/beamline-media", media.toString());
    assertEquals(0, nginxTest(dir, rendered), "nginx -t rejected the rendered template");
    // What the entrypoint renders without TRAFFIC_LOG_SERVER.
    assertEquals(
        0,
        nginxTest(
            dir,
            rendered.replace(
                "syslog:server=127.0.0.1:18087,tag=beamline_hls,nohostname beamline_hls",
                "/dev/stdout")),
        "nginx -t rejected the template without a traffic log");

    // The check can fail: a misspelt directive is refused.
    String broken = rendered.replace("hls_fragment 2s;", "hls_fragmnt 2s;");
    assertNotEquals(0, nginxTest(dir, broken), "nginx -t accepted a misspelt directive");
  }

  private static int nginxTest(Path dir, String config) throws Exception {
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, config);
    Process nginx =
        new ProcessBuilder("/usr/sbin/nginx", "-e", "stderr", "-t", "-c", file.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(nginx.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(nginx.waitFor(30, TimeUnit.SECONDS), "nginx -t hung");
    System.out.println(output);
    return nginx.exitValue();
  }

  private static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Set<String> placeholders(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
