package io.beamline.syndication.rest;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import io.beamline.syndication.service.PartnerSessions;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Partners of the caller's account (subscribe tokens with a tracking id): their viewers and bytes
 * by tracking id, from the viewer events.
 */
@Path("/api/restream/partners")
@Tag(name = "Partners")
@SecurityRequirement(name = "apiKey")
public class PartnerResource {

  private final PartnerSessions sessions;
  private final Caller caller;

  public PartnerResource(PartnerSessions sessions, Caller caller) {
    this.sessions = sessions;
    this.caller = caller;
  }

  /**
   * One partner's figures.
   *
   * @param trackingId the partner's tracking id
   * @param total over all streams
   * @param streams per stream, most bytes first
   */
  public record PartnerView(
      String trackingId, PartnerSessions.Totals total, List<PartnerSessions.Totals> streams) {}

  @GET
  @RolesAllowed(ApiScopes.RESTREAM_READ)
  @Operation(summary = "The account's partner tracking ids that have had viewers")
  public Envelope<List<String>> list() {
    return Envelope.success(sessions.trackingIds(caller.accountId()));
  }

  @GET
  @Path("/{trackingId}")
  @RolesAllowed(ApiScopes.RESTREAM_READ)
  @Operation(summary = "A partner's viewers now, sessions, seconds watched and bytes, per stream")
  @APIResponse(responseCode = "404", description = "No viewer of this account had this tracking id")
  public Envelope<PartnerView> get(@PathParam("trackingId") String trackingId) {
    List<PartnerSessions.Totals> totals = sessions.totals(caller.accountId(), trackingId);
    if (totals.isEmpty()) {
      throw ApiProblemException.notFound("partner", trackingId);
    }
    return Envelope.success(
        new PartnerView(trackingId, totals.get(0), totals.subList(1, totals.size())));
  }
}
