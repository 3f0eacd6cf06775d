package io.beamline.platform.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Fails authentication for an API key whose id has been revoked, on every kind of endpoint. */
@ApplicationScoped
public class RevokedKeyAugmentor implements SecurityIdentityAugmentor {

  private final ApiKeyRevocations revocations;

  public RevokedKeyAugmentor(ApiKeyRevocations revocations) {
    this.revocations = revocations;
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.getPrincipal() instanceof JsonWebToken jwt
        && revocations.isRevoked(jwt.getTokenID())) {
      return Uni.createFrom().failure(new AuthenticationFailedException("API key revoked"));
    }
    return Uni.createFrom().item(identity);
  }
}
