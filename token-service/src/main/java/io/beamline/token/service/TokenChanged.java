package io.beamline.token.service;

import io.beamline.token.StreamingTokenKind;

/**
 * CDI event fired when a publish or subscribe token was created, changed or deleted; observers in
 * this JVM use {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)} to see committed state.
 *
 * @param tokenId the token's id
 * @param kind publish or subscribe
 * @param accountId the owning account
 */
public record TokenChanged(long tokenId, StreamingTokenKind kind, String accountId) {}
