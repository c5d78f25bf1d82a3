-- 0003: enrollment codes are stored keyed (HMAC-SHA-256 under a secret key
-- the hub makes at its first open, kept in meta). The codes stored so far
-- are each the plain SHA-256 of a code: they are marked here, and the hub
-- rekeys them when it opens (Hub.ensureCodeKey), so that unused codes keep
-- working. A marked hash matches no code typed meanwhile.

UPDATE enroll_codes SET hash = 'sha256:' || hash;
