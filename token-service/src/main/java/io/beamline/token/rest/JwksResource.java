package io.beamline.token.rest;

import io.beamline.token.SigningKey;
import io.beamline.token.service.SigningKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.lang.JoseException;

/** Publishes the public keys every service verifies API keys with. */
@Path("/.well-known/jwks.json")
@Tag(name = "Keys")
public class JwksResource {

  private final SigningKeys signingKeys;

  public JwksResource(SigningKeys signingKeys) {
    this.signingKeys = signingKeys;
  }

  @GET
  @Produces("application/jwk-set+json")
  @Operation(summary = "JSON Web Key Set of the active and still-valid retired signing keys")
  public Response jwks() throws JoseException {
    signingKeys.active();
    List<Map<String, Object>> keys = new ArrayList<>();
    for (SigningKey row : signingKeys.verifiable()) {
      RsaJsonWebKey jwk =
          (RsaJsonWebKey) PublicJsonWebKey.Factory.newPublicJwk(SigningKeys.publicKey(row));
      jwk.setKeyId(row.kid);
      jwk.setAlgorithm(row.algorithm);
      jwk.setUse("sig");
      keys.add(jwk.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }
    CacheControl cache = new CacheControl();
    cache.setMaxAge(60);
    return Response.ok(Map.of("keys", keys)).cacheControl(cache).build();
  }
}
