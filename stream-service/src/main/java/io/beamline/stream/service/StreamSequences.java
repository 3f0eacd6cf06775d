package io.beamline.stream.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.OptionalLong;
import org.hibernate.Session;

/**
 * Takes a stream's next event sequence number in a short transaction of its own, so that viewer
 * joins and leaves, which are many, do not hold the stream's row until their own commit.
 *
 * <p>Lifecycle changes (feeds, start, end) still lock the row for their whole transaction and take
 * their number from the entity; this update waits for them and they wait for it, so no number is
 * given twice. The short transaction commits without waiting for its WAL flush: the event that uses
 * the number commits synchronously afterwards, and PostgreSQL flushes WAL in order, so a durable
 * event implies a durable counter. A crash in between only leaves a gap, which the contract allows
 * (the sequence grows; it is not dense).
 */
@ApplicationScoped
public class StreamSequences {

  private final EntityManager em;

  public StreamSequences(EntityManager em) {
    this.em = em;
  }

  /** The next sequence of {@code streamId}, or empty when there is no such stream row. */
  public OptionalLong next(String streamId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                em.unwrap(Session.class)
                    .doReturningWork(
                        connection -> {
                          try (Statement local = connection.createStatement()) {
                            local.execute("set local synchronous_commit = off");
                          }
                          try (PreparedStatement update =
                              connection.prepareStatement(
                                  "update live_stream set sequence = sequence + 1,"
                                      + " updated_at = now() where id = ? returning sequence")) {
                            update.setString(1, streamId);
                            try (ResultSet row = update.executeQuery()) {
                              return row.next()
                                  ? OptionalLong.of(row.getLong(1))
                                  : OptionalLong.empty();
                            }
                          }
                        }));
  }
}
