package io.beamline.devstack;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An S3-compatible object store: S3Proxy with its filesystem backend, as a separate JVM on
 * loopback, checking AWS v2/v4 signatures against one identity and credential.
 */
public final class S3Store extends ManagedProcess {

  /** Default access key. */
  public static final String DEFAULT_IDENTITY = "local-identity";

  /** Default secret key. */
  public static final String DEFAULT_CREDENTIAL = "local-credential";

  /** The region S3Proxy answers for. */
  public static final String REGION = "us-east-1";

  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final DevstackDist dist;
  private final int port;
  private final String identity;
  private final String credential;
  private final String portSetting;
  private final Duration startTimeout;
  private final String heap;
  private final List<String> jvmArgs;

  private S3Store(Builder b) {
    super("s3proxy", b.dataDir, b.logFile, b.runDir, STOP_GRACE);
    this.dist = b.dist != null ? b.dist : DevstackDist.locate();
    this.port = b.port > 0 ? b.port : Ports.freePort();
    this.identity = b.identity;
    this.credential = b.credential;
    this.portSetting = b.portSetting;
    this.startTimeout = b.startTimeout;
    this.heap = b.heap;
    this.jvmArgs = List.copyOf(b.jvmArgs);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts S3Proxy and waits until it answers HTTP. Does nothing if it runs; after {@link #stop()}
   * or {@link #kill()} it starts again on the same port and data.
   *
   * @throws PortInUseException if the port is taken
   */
  public synchronized S3Store start() {
    if (isRunning()) {
      return this;
    }
    Ports.requireFree(port, "s3proxy", portSetting);
    Path blobs = FileSupport.createDirectories(dataDir.resolve("blobs"));
    Path properties = dataDir.resolve("s3proxy.properties");
    FileSupport.write(
        properties,
        String.join(
            "\n",
            "# Written by io.beamline.devstack.S3Store",
            "s3proxy.endpoint=" + endpoint(),
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + identity,
            "s3proxy.credential=" + credential,
            "jclouds.provider=filesystem-nio2",
            "jclouds.filesystem.basedir=" + blobs,
            ""));
    List<String> command = new ArrayList<>();
    command.add(ChildProcess.javaExecutable());
    command.add("-Xmx" + heap);
    command.add("-XX:+ExitOnOutOfMemoryError");
    // Start-up time matters more than peak throughput here: C1 only and the serial collector start
    // noticeably faster on a small (2-core) machine.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(dist.s3proxyJar().toString());
    command.add("--properties");
    command.add(properties.toString());
    launch(command, this::awaitHttp);
    return this;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://" + Ports.LOOPBACK + ":" + port;
  }

  public String accessKey() {
    return identity;
  }

  public String secretKey() {
    return credential;
  }

  public int port() {
    return port;
  }

  /** A new MinIO client for this store; the caller closes it (an open one keeps the JVM ~60 s). */
  public MinioClient newClient() {
    return MinioClient.builder()
        .endpoint(endpoint())
        .region(REGION)
        .credentials(identity, credential)
        .build();
  }

  /** Creates bucket {@code name} unless it exists. */
  public void createBucketIfMissing(String name) {
    try (MinioClient client = newClient()) {
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(name).build())) {
        client.makeBucket(MakeBucketArgs.builder().bucket(name).build());
      }
    } catch (Exception e) {
      throw new DevstackException(
          "cannot create bucket " + name + " at " + endpoint() + ": " + e.getMessage(), e);
    }
  }

  private void awaitHttp() {
    ChildProcess child = process;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(2)).build();
    Wait.until(
        startTimeout,
        Duration.ofMillis(100),
        () -> answers(http, request),
        () -> child.isAlive() ? null : "S3Proxy " + child.deathReport(),
        () ->
            "S3Proxy did not answer on "
                + endpoint()
                + " within "
                + startTimeout.toSeconds()
                + " s; see "
                + logFile);
  }

  private static boolean answers(HttpClient http, HttpRequest request) {
    try {
      // Any HTTP status (an anonymous request gets 403) means the server is up.
      http.send(request, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return "S3Store[" + endpoint() + ", data " + dataDir + "]";
  }

  /** Settings of an {@link S3Store}; everything is optional. */
  public static final class Builder {
    private DevstackDist dist;
    private int port;
    private Path dataDir;
    private Path logFile;
    private Path runDir;
    private String identity = DEFAULT_IDENTITY;
    private String credential = DEFAULT_CREDENTIAL;
    private String portSetting;
    private Duration startTimeout = Duration.ofSeconds(60);
    private String heap = "256m";
    private final List<String> jvmArgs = new ArrayList<>();

    private Builder() {}

    /** Where the S3Proxy jar is; default {@link DevstackDist#locate()}. */
    public Builder dist(DevstackDist dist) {
      this.dist = dist;
      return this;
    }

    /** Port; 0 (default) picks an ephemeral one, kept across restarts. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Data directory (objects under {@code blobs/}); default temporary, deleted by close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** S3Proxy output; default {@code <dataDir>/s3proxy.log}. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** Directory for {@code s3proxy.pid}; default none. */
    public Builder runDir(Path runDir) {
      this.runDir = runDir;
      return this;
    }

    /** Access key and secret key; default local-identity / local-credential. */
    public Builder credentials(String identity, String credential) {
      this.identity = identity;
      this.credential = credential;
      return this;
    }

    /** Setting named in the "port in use" error, e.g. {@code BEAMLINE_S3_PORT}. */
    public Builder portSetting(String portSetting) {
      this.portSetting = portSetting;
      return this;
    }

    /** How long {@link #start()} waits; default 60 s. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /** Maximum heap, e.g. {@code 256m} (default). */
    public Builder heap(String heap) {
      this.heap = heap;
      return this;
    }

    /** An extra JVM argument for the S3Proxy process. */
    public Builder jvmArg(String arg) {
      this.jvmArgs.add(arg);
      return this;
    }

    public S3Store build() {
      return new S3Store(this);
    }
  }
}
