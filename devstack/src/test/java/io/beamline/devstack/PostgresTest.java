package io.beamline.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresTest {

  @TempDir Path dir;

  @Test
  void shouldCreateDatabaseAndAnswerQueriesWhenTemporary() throws Exception {
    Postgres postgres = Postgres.embedded().logFile(dir.resolve("postgres.log")).build().start();
    Path data = postgres.dataDir().orElseThrow();
    try {
      postgres.createDatabaseIfMissing("orders");
      postgres.createDatabaseIfMissing("orders"); // idempotent
      assertEquals(
          "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/orders", postgres.jdbcUrl("orders"));
      assertEquals(1, selectOne(postgres, "orders"));
      assertTrue(postgres.processHandle().map(ProcessHandle::isAlive).orElse(false));
    } finally {
      postgres.stop();
    }
    assertFalse(Files.exists(data), "temporary data directory deleted");
  }

  @Test
  void shouldKeepDataAcrossRestartWhenPersistent() throws Exception {
    Path pidFile = dir.resolve("run/postgres.pid");
    Postgres postgres =
        Postgres.embedded()
            .dataDir(dir.resolve("pgdata"))
            .runDir(dir.resolve("run"))
            .logFile(dir.resolve("postgres.log"))
            .build();
    try {
      postgres.start();
      assertTrue(Files.isRegularFile(pidFile), "pid file written");
      postgres.createDatabaseIfMissing("keep");
      try (Connection c = postgres.connect("keep");
          Statement s = c.createStatement()) {
        s.execute("create table note(id int primary key, text varchar(20))");
        s.execute("insert into note values (1, 'still here')");
      }
      postgres.stop();
      assertFalse(Files.exists(pidFile), "pid file removed");

      postgres.start();
      try (Connection c = postgres.connect("keep");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select text from note where id = 1")) {
        assertTrue(rs.next());
        assertEquals("still here", rs.getString(1));
      }
    } finally {
      postgres.stop();
    }
    assertTrue(Files.isRegularFile(dir.resolve("pgdata/PG_VERSION")), "data directory kept");
  }

  @Test
  void shouldOnlyCreateDatabasesOnAnExternalServer() throws Exception {
    Postgres server = Postgres.embedded().build().start();
    try {
      Postgres external =
          Postgres.external(
                  "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres?connectTimeout=5",
                  server.user(),
                  server.password())
              .start();
      external.createDatabaseIfMissing("elsewhere");
      assertEquals(
          "jdbc:postgresql://127.0.0.1:" + server.port() + "/elsewhere?connectTimeout=5",
          external.jdbcUrl("elsewhere"));
      assertEquals(1, selectOne(external, "elsewhere"));
      external.stop(); // nothing to stop: the server is not ours
      assertEquals(1, selectOne(server, "elsewhere"));
    } finally {
      server.stop();
    }
  }

  private static int selectOne(Postgres postgres, String database) throws Exception {
    try (Connection c = postgres.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
