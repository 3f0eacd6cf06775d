package io.beamline.platform.auth;

import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The account and API key behind the current request; every management query is scoped by {@link
 * #accountId()}.
 */
@RequestScoped
public class Caller {

  private final JsonWebToken jwt;

  public Caller(JsonWebToken jwt) {
    this.jwt = jwt;
  }

  /** The caller's account id (the API key JWT's {@code sub}). */
  public String accountId() {
    String subject = jwt.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new UnauthorizedException("API key has no account");
    }
    return subject;
  }

  /** The API key id (the JWT's {@code jti}). */
  public String keyId() {
    return jwt.getTokenID();
  }

  public Set<String> scopes() {
    return jwt.getGroups();
  }
}
