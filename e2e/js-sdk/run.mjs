// The AWS SDK for JavaScript v3's role credential providers against a running trailstack:
//
//     node e2e/js-sdk/run.mjs ENDPOINT ROLE_ARN BUCKET ACCESS_KEY SECRET_KEY
//
// e2e/checks_js_sdk.py makes the user and the role, writes the shared config and credentials
// files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: profile `writer` has role_arn and
// source_profile `dev`, profile `stranger` names a role that does not trust `dev`) and calls
// this with AWS_ENDPOINT_URL pointing at the server, as a user's shell would. Each provider's
// credentials sign an S3 PutObject and an STS GetCallerIdentity; the refused profile's error is
// reported. Prints one JSON line of what happened; exits 1 with the reason on stderr otherwise.

import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Where .ci/run installs package.json's packages (`npm ci` in target/js-sdk-node). */
const MODULES = process.env.TRAILSTACK_JS_SDK_NODE_MODULES ||
  path.resolve(HERE, "../../target/js-sdk-node/node_modules");
const require = createRequire(path.join(MODULES, "resolve.js"));
const { S3Client, PutObjectCommand } = require("@aws-sdk/client-s3");
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
const { fromIni, fromTemporaryCredentials } = require("@aws-sdk/credential-providers");

const [endpoint, roleArn, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2);
if (!secretAccessKey) {
  console.error("usage: run.mjs ENDPOINT ROLE_ARN BUCKET ACCESS_KEY SECRET_KEY");
  process.exit(2);
}
const region = "us-east-1";

/** PutObject and GetCallerIdentity signed with `credentials`; what they answered. */
async function use(credentials, key) {
  // The endpoint comes from AWS_ENDPOINT_URL, as configured endpoints work for every client.
  const s3 = new S3Client({ region, forcePathStyle: true, credentials, maxAttempts: 1 });
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `written as ${key}` }));
  const sts = new STSClient({ region, credentials, maxAttempts: 1 });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  const resolved = await (typeof credentials === "function" ? credentials() : credentials);
  return {
    etag: put.ETag,
    arn: me.Arn,
    userId: me.UserId,
    account: me.Account,
    accessKeyId: resolved.accessKeyId,
    hasSessionToken: Boolean(resolved.sessionToken),
    expiration: resolved.expiration ? resolved.expiration.toISOString() : null,
  };
}

try {
  const out = {};
  out.fromIni = await use(fromIni({ profile: "writer" }), "from-ini.txt");
  out.fromTemporaryCredentials = await use(
    fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: "from-code", DurationSeconds: 900 },
      masterCredentials: { accessKeyId, secretAccessKey },
      clientConfig: { region },
    }),
    "from-code.txt",
  );
  try {
    await use(fromIni({ profile: "stranger" }), "stranger.txt");
    out.stranger = { refused: false };
  } catch (e) {
    out.stranger = { refused: true, name: e.name, message: e.message };
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
}
