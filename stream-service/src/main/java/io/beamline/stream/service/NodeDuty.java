package io.beamline.stream.service;

import io.beamline.stream.config.StreamConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * Decides which of the instances driving one media node does the node's periodic work (reading its
 * {@code /stat}, publishing {@code stream-stats}), so that several replicas never count its bytes
 * and viewers twice: a PostgreSQL session advisory lock per node, held on a connection of its own.
 * When the holder dies its connection closes, and another instance takes the duty at its next try.
 */
@ApplicationScoped
public class NodeDuty {

  /** "node" in ASCII in the high half, so that it never equals the outbox relay's lock. */
  private static final long NAMESPACE = 0x6E6F6465_00000000L;

  private final DataSource dataSource;
  private final String nodeId;
  private final long lockKey;
  private Connection held;
  private Instant heldSince;

  @Inject
  public NodeDuty(DataSource dataSource, StreamConfig config) {
    this(dataSource, config.mediaNode().id());
  }

  NodeDuty(DataSource dataSource, String nodeId) {
    this.dataSource = dataSource;
    this.nodeId = nodeId;
    CRC32 crc = new CRC32();
    crc.update(nodeId.getBytes(StandardCharsets.UTF_8));
    this.lockKey = NAMESPACE | crc.getValue();
  }

  /** Whether this instance does the node's periodic work now (taking the duty when it is free). */
  public synchronized boolean mine() {
    try {
      if (held != null) {
        if (held.isValid(2)) {
          return true;
        }
        release();
      }
      Connection connection = dataSource.getConnection();
      boolean taken = false;
      try {
        connection.setAutoCommit(true);
        try (PreparedStatement lock =
            connection.prepareStatement("select pg_try_advisory_lock(?)")) {
          lock.setLong(1, lockKey);
          try (ResultSet rows = lock.executeQuery()) {
            taken = rows.next() && rows.getBoolean(1);
          }
        }
      } finally {
        if (taken) {
          held = connection;
          heldSince = Instant.now();
          Log.infof("this instance now reads media node %s and publishes its stream-stats", nodeId);
        } else {
          connection.close();
        }
      }
      return taken;
    } catch (SQLException e) {
      Log.warnf("cannot take the duty of media node %s: %s", nodeId, e.getMessage());
      release();
      return false;
    }
  }

  /**
   * Since when this instance has the duty: counters read for the first time that belong to a feed
   * older than this were counted by the previous holder up to its last reading (or, after a
   * restart, by this instance before it), so they are a baseline, not new traffic.
   */
  public synchronized Instant heldSince() {
    return heldSince;
  }

  /**
   * Gives the duty up. The connection goes back to the pool, whose physical session outlives it, so
   * the lock is released explicitly (a broken connection took it with its session already).
   */
  synchronized void release() {
    if (held != null) {
      try (PreparedStatement unlock = held.prepareStatement("select pg_advisory_unlock(?)")) {
        unlock.setLong(1, lockKey);
        unlock.execute();
      } catch (SQLException e) {
        Log.debugf("unlocking the duty of media node %s: %s", nodeId, e.getMessage());
      }
      try {
        held.close();
      } catch (SQLException e) {
        Log.debugf("closing the duty connection: %s", e.getMessage());
      }
      held = null;
    }
  }

  void stop(@Observes ShutdownEvent shutdown) {
    release();
  }
}
