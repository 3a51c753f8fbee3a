-- Choosing a ComfyUI server for a generation in one round trip: under a lock shared by every
-- instance, count the places each candidate server has taken (generations named on it whose job a
-- run holds), pick the least loaded one with room, and record the choice. Each statement of a
-- PL/pgSQL function reads a fresh snapshot, so the counts include every choice committed before
-- the lock was granted.
CREATE FUNCTION lattice_claim_server(p_generation text, p_prompt text, p_servers text[], p_capacity int[], p_load int[])
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  chosen text;
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  SELECT c.id INTO chosen
  FROM unnest(p_servers, p_capacity, p_load) WITH ORDINALITY AS c(id, capacity, load, n)
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS held FROM "Generation" g JOIN "Job" j ON j.id = g."jobId"
    WHERE g."serverId" = c.id AND g.id <> p_generation AND j."runId" IS NOT NULL AND j.status IN ('queued', 'dispatched', 'running')
  ) h
  WHERE h.held < c.capacity
  ORDER BY greatest(h.held, c.load), h.held, c.n
  LIMIT 1;
  IF chosen IS NOT NULL THEN
    UPDATE "Generation" SET "serverId" = chosen, "promptId" = p_prompt WHERE id = p_generation;
  END IF;
  RETURN chosen;
END
$$;
