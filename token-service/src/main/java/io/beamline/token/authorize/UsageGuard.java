package io.beamline.token.authorize;

import java.util.Set;

/**
 * The per-token state that must agree across instances (bound addresses, live viewers, consumed
 * single-use credentials): kept in the database, cached where a cache cannot be wrong.
 */
public interface UsageGuard {

  /**
   * Addresses this instance knows to be bound to the token, without blocking; null when it has not
   * read them yet. Bindings only grow, so a cached set is never more than the truth.
   */
  Set<String> cachedBindings(TokenRef token);

  /** Blocking: the addresses bound to the token now. */
  Set<String> bindings(TokenRef token);

  /**
   * Blocking: binds {@code address} to the token unless {@code limit} others are bound already.
   *
   * @return whether the address is bound (now or before)
   */
  boolean bind(TokenRef token, String address, int limit);

  /** Blocking: viewers of the token whose media has started and not ended. */
  int liveViewers(TokenRef token);

  /** Whether this instance already knows the single-use credential was consumed (no blocking). */
  boolean knownConsumed(String viewerTokenId);

  /** Blocking: whether the single-use credential has started media once already. */
  boolean consumed(String viewerTokenId);
}
