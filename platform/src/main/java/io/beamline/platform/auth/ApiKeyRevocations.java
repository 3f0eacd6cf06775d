package io.beamline.platform.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The set of revoked API key ids this instance refuses, kept in memory because it is checked on
 * every authenticated request.
 */
@ApplicationScoped
public class ApiKeyRevocations {

  /** Key id → when the key would have expired anyway (after that the entry can be forgotten). */
  private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

  private volatile boolean caughtUp;

  /** Refuses {@code keyId} from now on; {@code expiresAt} may be null for keys that never end. */
  public void revoke(String keyId, Instant expiresAt) {
    revoked.put(keyId, expiresAt == null ? Instant.MAX : expiresAt);
  }

  public boolean isRevoked(String keyId) {
    return keyId != null && revoked.containsKey(keyId);
  }

  /** Forgets revocations of keys that have expired: their JWTs fail the expiry check anyway. */
  public void forgetExpired(Instant now) {
    revoked.values().removeIf(expiry -> expiry.isBefore(now));
  }

  public int size() {
    return revoked.size();
  }

  /** Whether every revocation published before this instance started has been read. */
  public boolean caughtUp() {
    return caughtUp;
  }

  void markCaughtUp() {
    caughtUp = true;
  }
}
