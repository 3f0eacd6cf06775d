package io.beamline.token.service;

import io.beamline.token.config.TokensConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Announces, once, every publish or subscribe token whose {@code expiresOn} has passed, as {@code
 * token-revoked} with reason {@code expired}, so that live sessions using it are ended.
 */
@ApplicationScoped
public class TokenExpiryJob {

  private final StreamingTokenService tokens;
  private final TokensConfig config;

  public TokenExpiryJob(StreamingTokenService tokens, TokensConfig config) {
    this.tokens = tokens;
    this.config = config;
  }

  @Scheduled(
      identity = "token-expiry",
      every = "${beamline.tokens.expiry-check-interval:5s}",
      delayed = "1s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void run() {
    // Batches keep each transaction short after a long outage with many expiries.
    while (tokens.announceExpired(Instant.now(), config.expiryBatchSize())
        >= config.expiryBatchSize()) {
      // next batch
    }
  }
}
