package io.beamline.token.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.token.AccountSecurity;
import io.beamline.token.StreamingToken;
import io.beamline.token.StreamingTokenKind;
import io.beamline.token.service.AccountSecurityService;
import io.beamline.token.service.StreamingTokenQueries;
import io.beamline.token.service.StreamingTokenQueries.FilterBy;
import io.beamline.token.service.StreamingTokenQueries.SortBy;
import io.beamline.token.service.StreamingTokenService;
import io.beamline.token.service.TokenRules;
import io.beamline.token.service.TokenSecrets;
import io.beamline.token.service.TokenValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What the publish- and subscribe-token resources share: reading bodies and paging parameters,
 * calling the service, and shaping answers in the reference envelope.
 */
@ApplicationScoped
public class TokenEndpoints {

  /** Header carrying the number of tokens a list pages through. */
  public static final String TOTAL_COUNT = "X-Total-Count";

  /**
   * Paging parameters, checked.
   *
   * @param page page number, from 1
   * @param itemsOnPage 1 to 100
   * @param sortBy {@code Name} or {@code AddedOn}
   * @param descending sort direction
   */
  record Paging(int page, int itemsOnPage, SortBy sortBy, boolean descending) {}

  /**
   * Body of a bulk disable.
   *
   * @param tokenIds the tokens to disable
   */
  public record DisableRequest(List<Long> tokenIds) {}

  private final StreamingTokenService tokens;
  private final StreamingTokenQueries queries;
  private final AccountSecurityService security;
  private final TokenSecrets secrets;
  private final TokenBodies bodies;
  private final io.beamline.token.config.TokensConfig config;

  public TokenEndpoints(
      StreamingTokenService tokens,
      StreamingTokenQueries queries,
      AccountSecurityService security,
      TokenSecrets secrets,
      TokenBodies bodies,
      io.beamline.token.config.TokensConfig config) {
    this.tokens = tokens;
    this.queries = queries;
    this.security = security;
    this.secrets = secrets;
    this.bodies = bodies;
    this.config = config;
  }

  Response create(String accountId, StreamingTokenKind kind, JsonNode body, String basePath) {
    TokenBodies.Parsed parsed = bodies.read(body, kind, TokenBodies.Operation.CREATE);
    StreamingToken token = tokens.create(accountId, kind, parsed.request(), parsed.present());
    return Response.created(URI.create(basePath + "/" + token.id))
        .entity(Envelope.success(view(token, security.get(accountId))))
        .build();
  }

  Envelope<Object> get(String accountId, StreamingTokenKind kind, long id) {
    return Envelope.success(view(queries.get(accountId, kind, id), security.get(accountId)));
  }

  Envelope<Object> update(
      String accountId, StreamingTokenKind kind, long id, JsonNode body, boolean v1) {
    // An unknown id answers 404 before any complaint about the body.
    queries.get(accountId, kind, id);
    TokenBodies.Parsed parsed =
        v1 ? bodies.readV1(body, kind) : bodies.read(body, kind, TokenBodies.Operation.UPDATE);
    StreamingToken token;
    try {
      token = tokens.update(accountId, kind, id, parsed.request(), parsed.present());
    } catch (TokenValidationException e) {
      throw TokenBodies.renameFields(e, parsed.v1Names());
    }
    return Envelope.success(view(token, security.get(accountId)));
  }

  Envelope<Boolean> delete(String accountId, StreamingTokenKind kind, long id) {
    tokens.delete(accountId, kind, id);
    return Envelope.success(true);
  }

  Envelope<StreamingTokenService.BulkResult> disable(
      String accountId, StreamingTokenKind kind, DisableRequest request) {
    TokenRules.Errors errors = new TokenRules.Errors();
    if (request == null || request.tokenIds() == null || request.tokenIds().isEmpty()) {
      errors.add("tokenIds", "must list at least one token id");
    } else if (request.tokenIds().size() > config.maxBulkIds()) {
      errors.add("tokenIds", "at most " + config.maxBulkIds() + " ids per request");
    }
    errors.throwIfAny();
    return Envelope.success(tokens.disable(accountId, kind, request.tokenIds()));
  }

  Response list(
      String accountId,
      StreamingTokenKind kind,
      String name,
      String filterBy,
      boolean byName,
      String page,
      String itemsOnPage,
      String sortBy,
      String isDescending) {
    TokenRules.Errors errors = new TokenRules.Errors();
    Paging paging = paging(page, itemsOnPage, sortBy, isDescending, errors);
    FilterBy filter = FilterBy.TokenOrStreamName;
    if (byName) {
      if (name == null || name.isEmpty()) {
        errors.add("name", "is required");
      } else if (name.length() > TokenRules.MAX_LENGTH) {
        errors.add("name", "must be at most " + TokenRules.MAX_LENGTH + " characters");
      }
      if (filterBy != null) {
        filter = parseEnum(FilterBy.class, filterBy, "filterBy", errors, filter);
      }
    }
    errors.throwIfAny();
    String match = byName ? name : null;
    List<StreamingToken> page1 =
        queries.listByName(
            accountId,
            kind,
            match,
            filter,
            paging.page(),
            paging.itemsOnPage(),
            paging.sortBy(),
            paging.descending());
    AccountSecurity account = security.get(accountId);
    List<Object> views = new ArrayList<>();
    for (StreamingToken token : page1) {
      views.add(view(token, account));
    }
    return Response.ok(Envelope.success(views))
        .header(TOTAL_COUNT, queries.count(accountId, kind, match, filter))
        .build();
  }

  private static Paging paging(
      String page, String itemsOnPage, String sortBy, String isDescending, TokenRules.Errors e) {
    int pageNumber = parseInt(page, "page", 1, 1, Integer.MAX_VALUE, e);
    int items = parseInt(itemsOnPage, "itemsOnPage", 25, 1, 100, e);
    SortBy sort =
        sortBy == null ? SortBy.AddedOn : parseEnum(SortBy.class, sortBy, "sortBy", e, null);
    boolean descending = false;
    if (isDescending != null) {
      if (isDescending.equalsIgnoreCase("true")) {
        descending = true;
      } else if (!isDescending.equalsIgnoreCase("false")) {
        e.add("isDescending", "must be true or false");
      }
    }
    if (pageNumber > 0 && items > 0 && (long) (pageNumber - 1) * items > Integer.MAX_VALUE) {
      e.add("page", "is too large");
    }
    return new Paging(pageNumber, items, sort, descending);
  }

  private static int parseInt(
      String value, String field, int absent, int min, int max, TokenRules.Errors e) {
    if (value == null || value.isEmpty()) {
      return absent;
    }
    try {
      int number = Integer.parseInt(value);
      if (number < min || number > max) {
        e.add(field, "must be " + min + " to " + max);
        return -1;
      }
      return number;
    } catch (NumberFormatException ex) {
      e.add(field, "must be a whole number");
      return -1;
    }
  }

  private static <E extends Enum<E>> E parseEnum(
      Class<E> type, String value, String field, TokenRules.Errors e, E fallback) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name());
    }
    e.add(field, "must be one of " + String.join(", ", names));
    return fallback;
  }

  private Object view(StreamingToken token, AccountSecurity account) {
    return token.kind == StreamingTokenKind.PUBLISH
        ? TokenViews.PublishTokenView.of(token, account, secrets)
        : TokenViews.SubscribeTokenView.of(token, account, secrets);
  }
}
