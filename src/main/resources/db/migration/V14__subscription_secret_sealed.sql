-- The signing secret is stored sealed with the data key: "v1." + base64(12-byte nonce, ciphertext, 16-byte tag). A
-- secret of 256 characters is at most 768 bytes in UTF-8, so a sealed one is at most 3 + 4 * ceil(796 / 3) = 1067.
ALTER TABLE subscription ALTER COLUMN signing_secret TYPE VARCHAR(1100);
