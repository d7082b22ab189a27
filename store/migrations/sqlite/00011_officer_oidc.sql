-- Single sign-on links of officer accounts (issue 18): an account may be
-- linked to one person at an OpenID Connect provider, named by the
-- provider's issuer URL and the subject ("sub") it gives that person.
-- Both are NULL for an account without a link; a link is unique per
-- (issuer, subject), so one identity signs in to one account at most.
-- (Numbered 00011: 00010 is the openers' key shares.) Shipped: never
-- edit; add a new numbered migration instead.

-- +goose Up
ALTER TABLE officers ADD COLUMN oidc_issuer TEXT;
ALTER TABLE officers ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX officers_oidc ON officers (oidc_issuer, oidc_subject);

-- +goose Down
DROP INDEX officers_oidc;
ALTER TABLE officers DROP COLUMN oidc_subject;
ALTER TABLE officers DROP COLUMN oidc_issuer;
