package io.beamline.token.rest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/**
 * What a new API key should be.
 *
 * @param label what the key is for (1–100 characters)
 * @param scopes at least one scope, each held by the calling key
 * @param expiresOn when the key stops working; default one year from now
 */
public record CreateApiKeyRequest(
    @NotBlank @Size(max = 100) String label,
    @NotEmpty @Size(max = 20) List<@NotBlank String> scopes,
    Instant expiresOn) {}
