package io.beamline.stream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Two instances driving one media node: one of them does its periodic work, the other waits. */
@QuarkusTest
class NodeDutyTest {

  @Inject DataSource dataSource;

  @Test
  void oneInstancePerNodeHoldsTheDutyAndAnotherTakesItOver() throws Exception {
    NodeDuty first = new NodeDuty(dataSource, "duty-test-node");
    NodeDuty second = new NodeDuty(dataSource, "duty-test-node");
    NodeDuty otherNode = new NodeDuty(dataSource, "duty-test-other-node");
    try {
      assertTrue(first.mine());
      assertNotNull(first.heldSince());
      assertTrue(first.mine(), "kept while held");
      assertFalse(second.mine(), "a second instance of the same node waits");
      assertNull(second.heldSince());
      assertTrue(otherNode.mine(), "another node has its own duty");
      assertEquals(2, advisoryLocksHeld());

      first.release(); // as when the holder stops (its session ends)
      assertTrue(second.mine(), "the waiting instance takes over");
      assertFalse(first.mine());
      assertEquals(2, advisoryLocksHeld(), "a released lock does not linger in the pool");
    } finally {
      first.release();
      second.release();
      otherNode.release();
    }
    assertEquals(0, advisoryLocksHeld());
  }

  /** Advisory locks of the test's node keys (the application's own node holds another). */
  private long advisoryLocksHeld() throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "select count(*) from pg_locks where locktype = 'advisory' and granted"
                    + " and classid = x'6E6F6465'::int"
                    + " and objid in ("
                    + crc("duty-test-node")
                    + ", "
                    + crc("duty-test-other-node")
                    + ")")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long crc(String nodeId) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return crc.getValue();
  }
}
