package io.beamline.syndication.service;

import io.beamline.platform.problem.ApiProblemException;
import io.beamline.syndication.RestreamJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.UUID;

/** Reads an account's restream jobs for the API. */
@ApplicationScoped
public class JobQueries {

  private final EntityManager em;

  public JobQueries(EntityManager em) {
    this.em = em;
  }

  /**
   * Jobs of the account, newest first; of one stream when {@code streamName} is set, only active
   * ones when {@code activeOnly}.
   */
  @Transactional
  public List<RestreamJob> list(String accountId, String streamName, boolean activeOnly, int max) {
    StringBuilder q = new StringBuilder("from RestreamJob j where j.accountId = :a");
    if (streamName != null) {
      q.append(" and j.streamName = :s");
    }
    if (activeOnly) {
      q.append(" and j.state in :active");
    }
    q.append(" order by j.createdAt desc, j.id");
    var query = em.createQuery(q.toString(), RestreamJob.class).setParameter("a", accountId);
    if (streamName != null) {
      query.setParameter("s", streamName);
    }
    if (activeOnly) {
      query.setParameter("active", RestreamJob.ACTIVE);
    }
    return query.setMaxResults(max).getResultList();
  }

  /** One job, or 404 when it does not exist in this account. */
  @Transactional
  public RestreamJob get(String accountId, UUID id) {
    RestreamJob job = em.find(RestreamJob.class, id);
    if (job == null || !job.accountId.equals(accountId)) {
      throw ApiProblemException.notFound("restream job", id.toString());
    }
    return job;
  }
}
