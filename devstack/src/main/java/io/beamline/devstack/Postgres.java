package io.beamline.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL for the dev stack: either embedded (zonky binaries, a separate server process on
 * loopback, with a temporary or a persistent data directory) or an external server of which it only
 * creates databases.
 */
public final class Postgres implements AutoCloseable {

  private static final Pattern JDBC_URL =
      Pattern.compile("jdbc:postgresql://([^/?]+)(?:/([^?]*))?(\\?.*)?");
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,62}");
  private static final String EMBEDDED_USER = "postgres";
  // The embedded server trusts loopback connections; the password is only there for clients that
  // insist on one.
  private static final String EMBEDDED_PASSWORD = "postgres";

  private final boolean embedded;
  private final String hostAndPort;
  private final String adminDatabase;
  private final String urlParameters;
  private final String user;
  private final String password;

  // Embedded only.
  private final int port;
  private final Path configuredDataDir;
  private final boolean persistent;
  private final Path logFile;
  private final Path pidFile;
  private final String portSetting;
  private final Duration startTimeout;
  private EmbeddedPostgres server;
  private Path dataDir;
  private ProcessHandle attached;

  private Postgres(EmbeddedBuilder b) {
    this.embedded = true;
    this.port = b.port > 0 ? b.port : Ports.freePort();
    this.hostAndPort = Ports.LOOPBACK + ":" + port;
    this.adminDatabase = "postgres";
    this.urlParameters = "";
    this.user = EMBEDDED_USER;
    this.password = EMBEDDED_PASSWORD;
    this.persistent = b.dataDir != null;
    this.configuredDataDir = persistent ? b.dataDir.toAbsolutePath() : null;
    this.dataDir = configuredDataDir;
    this.logFile =
        b.logFile != null
            ? b.logFile.toAbsolutePath()
            : (persistent ? configuredDataDir.resolveSibling("postgres.log") : null);
    this.pidFile = b.runDir != null ? b.runDir.toAbsolutePath().resolve("postgres.pid") : null;
    this.portSetting = b.portSetting;
    this.startTimeout = b.startTimeout;
  }

  private Postgres(String jdbcUrl, String user, String password) {
    Matcher m = JDBC_URL.matcher(jdbcUrl.strip());
    if (!m.matches()) {
      throw new DevstackException(
          "not a PostgreSQL JDBC URL: "
              + jdbcUrl
              + " (expected jdbc:postgresql://host:port[/database])");
    }
    this.embedded = false;
    this.hostAndPort = m.group(1);
    this.adminDatabase = m.group(2) == null || m.group(2).isEmpty() ? "postgres" : m.group(2);
    this.urlParameters = m.group(3) == null ? "" : m.group(3);
    this.user = user;
    this.password = password;
    this.port = -1;
    this.configuredDataDir = null;
    this.persistent = true;
    this.logFile = null;
    this.pidFile = null;
    this.portSetting = null;
    this.startTimeout = Duration.ofSeconds(10);
  }

  /** Settings of an embedded server. */
  public static EmbeddedBuilder embedded() {
    return new EmbeddedBuilder();
  }

  /**
   * An external server.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port[/database]}; the database (default {@code
   *     postgres}) is the one connected to for creating others
   */
  public static Postgres external(String jdbcUrl, String user, String password) {
    return new Postgres(jdbcUrl, user, password);
  }

  /**
   * Starts the embedded server (initialising the data directory on first use), or checks that the
   * external one answers.
   *
   * @throws PortInUseException if the embedded server's port is taken
   */
  public synchronized Postgres start() {
    if (!embedded) {
      try (Connection c = connect(adminDatabase);
          Statement s = c.createStatement()) {
        s.execute("select 1");
      } catch (SQLException e) {
        throw new DevstackException(
            "cannot connect to PostgreSQL at "
                + jdbcUrl(adminDatabase)
                + " as "
                + user
                + ": "
                + e.getMessage(),
            e);
      }
      return this;
    }
    if (isRunning()) {
      return this;
    }
    attached = null;
    Ports.requireFree(port, "postgresql", portSetting);
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setPort(port)
            .setPGStartupWait(startTimeout)
            .setServerConfig("listen_addresses", Ports.LOOPBACK)
            .setLocaleConfig("locale", "C");
    if (persistent) {
      dataDir = configuredDataDir;
      FileSupport.createDirectories(dataDir);
      builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
    } else {
      // A fresh directory per start, deleted by zonky on stop. Durability buys nothing here and
      // costs test time.
      dataDir = FileSupport.tempDirectory("beamline-postgres-");
      builder.setDataDirectory(dataDir).setCleanDataDirectory(true);
      builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
    }
    if (logFile != null) {
      FileSupport.createDirectories(logFile.getParent());
      builder
          .setOutputRedirector(Redirect.appendTo(logFile.toFile()))
          .setErrorRedirector(Redirect.appendTo(logFile.toFile()));
    }
    try {
      server = builder.start();
    } catch (IOException | RuntimeException e) {
      throw new DevstackException(
          "PostgreSQL did not start on "
              + hostAndPort
              + ": "
              + e.getMessage()
              + (logFile != null ? "; see " + logFile : ""),
          e);
    }
    if (pidFile != null) {
      postmasterPid().ifPresent(pid -> FileSupport.write(pidFile, pid + "\n"));
    }
    Cleanup.register(this, "postgresql", this::stop);
    return this;
  }

  /** Stops the embedded server (fast shutdown); a temporary data directory is deleted. */
  public synchronized void stop() {
    if (attached != null) {
      // Not ours to stop gracefully through zonky: SIGINT is PostgreSQL's fast shutdown, but Java
      // can only send SIGTERM (smart shutdown, which waits for clients).
      attached.destroy();
      attached = null;
      return;
    }
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        throw new DevstackException("cannot stop PostgreSQL: " + e.getMessage(), e);
      } finally {
        server = null;
        FileSupport.deleteQuietly(pidFile);
        Cleanup.unregister(this);
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Creates {@code name} unless it exists. */
  public void createDatabaseIfMissing(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    try (Connection c = connect(adminDatabase);
        PreparedStatement exists =
            c.prepareStatement("select 1 from pg_database where datname = ?")) {
      exists.setString(1, name);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        create.execute("create database \"" + name + "\"");
      } catch (SQLException e) {
        // 42P04 duplicate_database: created concurrently by someone else, which is fine.
        if (!"42P04".equals(e.getSQLState())) {
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new DevstackException(
          "cannot create database " + name + " on " + hostAndPort + ": " + e.getMessage(), e);
    }
  }

  /** Creates every database in {@code names} that is missing. */
  public void createDatabasesIfMissing(List<String> names) {
    names.forEach(this::createDatabaseIfMissing);
  }

  /** JDBC URL of database {@code database} on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + hostAndPort + "/" + database + urlParameters;
  }

  /** A new connection to {@code database}; the caller closes it. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), user, password);
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** {@code host:port}. */
  public String address() {
    return hostAndPort;
  }

  /** The embedded server's port, or -1 for an external server. */
  public int port() {
    return port;
  }

  public boolean isEmbedded() {
    return embedded;
  }

  /** Whether the embedded server has been started and not stopped (always true for external). */
  public synchronized boolean isRunning() {
    return !embedded || server != null || (attached != null && attached.isAlive());
  }

  /**
   * Takes over a running embedded server (its postmaster {@code pid}) started with these same
   * settings earlier in this JVM, e.g. by a copy of this class in another class loader (Quarkus
   * uses one per test profile). The original owner still stops it when the JVM exits.
   *
   * @return false if {@code pid} is not alive
   */
  public synchronized boolean attach(long pid) {
    if (!embedded) {
      throw new IllegalStateException("an external server is never started here");
    }
    if (server != null) {
      return processHandle().map(h -> h.pid() == pid).orElse(false);
    }
    attached = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
    return attached != null;
  }

  /** Data directory of the embedded server (a temporary one changes on each start). */
  public synchronized Optional<Path> dataDir() {
    return Optional.ofNullable(dataDir);
  }

  /** Whether the embedded data directory is kept across stops. */
  public boolean isPersistent() {
    return persistent;
  }

  /** Server output of an embedded server, if redirected to a file. */
  public Optional<Path> logFile() {
    return Optional.ofNullable(logFile);
  }

  /** The embedded server's postmaster, read from {@code postmaster.pid}. */
  public synchronized Optional<ProcessHandle> processHandle() {
    if (attached != null) {
      return Optional.of(attached).filter(ProcessHandle::isAlive);
    }
    return postmasterPid().flatMap(ProcessHandle::of);
  }

  private Optional<Long> postmasterPid() {
    if (server == null) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "Postgres[" + (embedded ? "embedded " : "external ") + hostAndPort + "]";
  }

  /** Settings of an embedded server; everything is optional. */
  public static final class EmbeddedBuilder {
    private int port;
    private Path dataDir;
    private Path logFile;
    private Path runDir;
    private String portSetting;
    private Duration startTimeout = Duration.ofSeconds(60);

    private EmbeddedBuilder() {}

    /** Port; 0 (default) picks an ephemeral one, kept across restarts. */
    public EmbeddedBuilder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * A persistent data directory, initialised on first start and kept; without it the server uses
     * a temporary one deleted on stop.
     */
    public EmbeddedBuilder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Server output; default {@code postgres.log} beside a persistent data directory. */
    public EmbeddedBuilder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    /** Directory for {@code postgres.pid}; default none. */
    public EmbeddedBuilder runDir(Path runDir) {
      this.runDir = runDir;
      return this;
    }

    /** Setting named in the "port in use" error, e.g. {@code BEAMLINE_POSTGRES_PORT}. */
    public EmbeddedBuilder portSetting(String portSetting) {
      this.portSetting = portSetting;
      return this;
    }

    /** How long {@link #start()} waits; default 60 s. */
    public EmbeddedBuilder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    public Postgres build() {
      return new Postgres(this);
    }
  }
}
