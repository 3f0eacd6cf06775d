package io.beamline.token.service;

/**
 * CDI event fired when an account's geo defaults changed; observers in this JVM use
 * {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)} to see committed state.
 *
 * @param accountId the account whose defaults changed
 */
public record AccountSecurityChanged(String accountId) {}
