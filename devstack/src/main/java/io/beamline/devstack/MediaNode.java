package io.beamline.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A media node: nginx with the RTMP module (Debian {@code nginx} + {@code libnginx-mod-rtmp}) on
 * loopback, configured from a template to call stream-service back for every publisher and viewer.
 *
 * <p>Three ports: RTMP ingest and playback, public HTTP (HLS guarded by {@code auth_request}) and
 * internal HTTP ({@code /stat}, {@code /control}). nginx runs in the foreground ({@code daemon
 * off}), so stopping the child stops the master and with it its workers.
 */
public final class MediaNode extends ManagedProcess {

  /** Where Debian's libnginx-mod-rtmp installs the module. */
  public static final String DEFAULT_RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

  private static final String TEMPLATE = "/io/beamline/devstack/media-node/nginx.conf.template";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final int rtmpPort;
  private final int httpPort;
  private final int controlPort;
  private final String callbackUrl;
  private final String callbackKey;
  private final String trafficLog;
  private final String nginx;
  private final String rtmpModule;
  private final Duration startTimeout;
  private final Map<String, String> portSettings;

  private MediaNode(Builder b) {
    super("media-node", b.dataDir, b.logFile, b.runDir, STOP_GRACE);
    this.rtmpPort = b.rtmpPort > 0 ? b.rtmpPort : Ports.freePort();
    this.httpPort = b.httpPort > 0 ? b.httpPort : Ports.freePort();
    this.controlPort = b.controlPort > 0 ? b.controlPort : Ports.freePort();
    this.callbackUrl = stripSlash(b.callbackUrl);
    this.callbackKey = b.callbackKey != null ? b.callbackKey : randomKey();
    this.trafficLog = b.trafficLog;
    this.nginx = b.nginx;
    this.rtmpModule = b.rtmpModule;
    this.startTimeout = b.startTimeout;
    this.portSettings = Map.copyOf(b.portSettings);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes {@code nginx.conf} into the data directory and starts nginx; does nothing if it runs.
   *
   * @throws DevstackException if nginx or the RTMP module is missing, a port is taken, or nginx
   *     does not answer within the start timeout
   */
  @Override
  public synchronized MediaNode start() {
    if (isRunning()) {
      return this;
    }
    if (!Files.isRegularFile(Path.of(rtmpModule))) {
      throw new DevstackException(
          "the nginx RTMP module "
              + rtmpModule
              + " is missing: install the Debian package libnginx-mod-rtmp"
              + " (apt-get install nginx libnginx-mod-rtmp ffmpeg)");
    }
    Ports.requireFree(rtmpPort, "media node RTMP", portSettings.get("rtmp"));
    Ports.requireFree(httpPort, "media node HTTP", portSettings.get("http"));
    Ports.requireFree(controlPort, "media node control", portSettings.get("control"));
    FileSupport.createDirectories(dataDir.resolve("hls"));
    FileSupport.createDirectories(dataDir.resolve("tmp"));
    Path conf = dataDir.resolve("nginx.conf");
    FileSupport.write(conf, renderConfig());
    // -e: errors from before the configuration is read also go to our log, not /var/log/nginx.
    launch(
        List.of(nginx, "-e", "stderr", "-p", dataDir + "/", "-c", conf.toString()),
        this::awaitReady);
    return this;
  }

  /** The configuration this node runs with, rendered from the template. */
  String renderConfig() {
    String template;
    try (InputStream in = MediaNode.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new DevstackException("missing resource " + TEMPLATE);
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DevstackException("cannot read " + TEMPLATE, e);
    }
    // Workers must write HLS segments into the data directory; as root nginx would run them as
    // nobody, who cannot. Without root the directive is not allowed, and not needed.
    boolean root = "root".equals(System.getProperty("user.name"));
    return template
        .replace("@RTMP_MODULE@", rtmpModule)
        .replace("@USER_DIRECTIVE@", root ? "user root;" : "")
        .replace("@DATA_DIR@", dataDir.toString())
        .replace("@RTMP_PORT@", Integer.toString(rtmpPort))
        .replace("@HTTP_PORT@", Integer.toString(httpPort))
        .replace("@CONTROL_PORT@", Integer.toString(controlPort))
        .replace(
            "@TRAFFIC_LOG@",
            trafficLog == null
                ? "off"
                : "syslog:server=" + trafficLog + ",tag=beamline_hls,nohostname beamline_hls")
        .replace("@CALLBACK_URL@", callbackUrl)
        .replace("@CALLBACK_KEY@", callbackKey);
  }

  private void awaitReady() {
    ChildProcess child = process;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(controlUrl() + "/healthz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    Wait.until(
        startTimeout,
        Duration.ofMillis(50),
        () ->
            answers(http, request)
                && Ports.isListening(Ports.LOOPBACK, rtmpPort, 500)
                && Ports.isListening(Ports.LOOPBACK, httpPort, 500),
        () -> child.isAlive() ? null : "nginx " + child.deathReport(),
        () ->
            "the media node (nginx) did not answer on "
                + controlUrl()
                + " within "
                + startTimeout.toSeconds()
                + " s; see "
                + logFile);
  }

  private static boolean answers(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Stops nginx (SIGTERM: the master ends its workers) and deletes a temporary data directory. The
   * base class would SIGKILL a temporary component, which orphans nginx's workers.
   */
  @Override
  public synchronized void close() {
    stop();
    if (temporary) {
      FileSupport.deleteRecursively(dataDir);
    }
  }

  /** Kills nginx like a crash would, workers included (they would otherwise keep the ports). */
  @Override
  public synchronized void kill() {
    // Master first: a master that outlives its workers forks new ones, which would keep the ports.
    java.util.List<ProcessHandle> workers =
        processHandle().map(h -> h.descendants().toList()).orElse(java.util.List.of());
    super.kill();
    workers.forEach(ProcessHandle::destroyForcibly);
  }

  /** The RTMP port (ingest and playback). */
  @Override
  public int port() {
    return rtmpPort;
  }

  public int rtmpPort() {
    return rtmpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public int controlPort() {
    return controlPort;
  }

  /** {@code rtmp://127.0.0.1:<port>/live}: where publishers and RTMP viewers connect. */
  public String rtmpUrl() {
    return "rtmp://" + Ports.LOOPBACK + ":" + rtmpPort + "/live";
  }

  /** {@code http://127.0.0.1:<port>}: public HTTP, HLS under {@code /hls/}. */
  public String httpUrl() {
    return "http://" + Ports.LOOPBACK + ":" + httpPort;
  }

  /** {@code http://127.0.0.1:<port>}: {@code /stat} and {@code /control}. */
  public String controlUrl() {
    return "http://" + Ports.LOOPBACK + ":" + controlPort;
  }

  /** The stream-service base URL the callbacks go to. */
  public String callbackUrl() {
    return callbackUrl;
  }

  /**
   * The secret every callback carries ({@code ?key=}); stream-service must be given the same one
   * ({@code beamline.stream.media-node.callback-key}).
   */
  public String callbackKey() {
    return callbackKey;
  }

  /** 32 random bytes in hex: URL-safe as it is. */
  private static String randomKey() {
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static String stripSlash(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("a media node needs the stream-service callback URL");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String toString() {
    return "MediaNode[" + rtmpUrl() + ", " + httpUrl() + ", control " + controlUrl() + "]";
  }

  /** Settings of a {@link MediaNode}; only the callback URL is required. */
  public static final class Builder {
    private int rtmpPort;
    private int httpPort;
    private int controlPort;
    private String callbackUrl;
    private String callbackKey;
    private String trafficLog;
    private Path dataDir;
    private Path logFile;
    private Path runDir;
    private String nginx =
        Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
    private String rtmpModule = DEFAULT_RTMP_MODULE;
    private Duration startTimeout = Duration.ofSeconds(20);
    private final java.util.HashMap<String, String> portSettings = new java.util.HashMap<>();

    private Builder() {}

    /** Ports; 0 (default) picks ephemeral ones, kept across restarts. */
    public Builder ports(int rtmpPort, int httpPort, int controlPort) {
      this.rtmpPort = rtmpPort;
      this.httpPort = httpPort;
      this.controlPort = controlPort;
      return this;
    }

    /** The settings that move the three ports, named when one is taken. */
    public Builder portSettings(String rtmp, String http, String control) {
      portSettings.put("rtmp", rtmp);
      portSettings.put("http", http);
      portSettings.put("control", control);
      return this;
    }

    /** stream-service's base URL, e.g. {@code http://127.0.0.1:8082}. */
    public Builder callbackUrl(String callbackUrl) {
      this.callbackUrl = callbackUrl;
      return this;
    }

    /**
     * Where the node sends its HLS traffic log ({@code host:port}, UDP syslog): stream-service's
     * {@code BEAMLINE_STREAM_MEDIA_NODE_TRAFFIC_LOG_PORT}. Default: none (HLS bytes not measured).
     */
    public Builder trafficLog(String hostAndPort) {
      this.trafficLog = hostAndPort;
      return this;
    }

    /** The callback key (URL-safe characters only); default: a random one. */
    public Builder callbackKey(String callbackKey) {
      this.callbackKey = callbackKey;
      return this;
    }

    /** Data directory (config, HLS segments); default a temporary one deleted on close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    public Builder runDir(Path runDir) {
      this.runDir = runDir;
      return this;
    }

    /** The nginx executable; default {@code /usr/sbin/nginx}, else {@code nginx} on PATH. */
    public Builder nginx(String nginx) {
      this.nginx = nginx;
      return this;
    }

    /** The RTMP module; default {@link #DEFAULT_RTMP_MODULE}. */
    public Builder rtmpModule(String rtmpModule) {
      this.rtmpModule = rtmpModule;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    public MediaNode build() {
      return new MediaNode(this);
    }
  }
}
