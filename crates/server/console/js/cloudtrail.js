// CloudTrail operations the console uses, each one public CloudTrail API call, and
// trailstack's own `Trailstack.Explain` and `Trailstack.Flush`.

import { json } from "./aws.js";

const ct = (op, input) => json("cloudtrail", op, input);

export const describeTrails = () =>
  ct("DescribeTrails", { includeShadowTrails: false }).then((r) => r.trailList || []);
export const getTrail = (name) => ct("GetTrail", { Name: name }).then((r) => r.Trail);
export const trailStatus = (name) => ct("GetTrailStatus", { Name: name });
export const createTrail = (input) => ct("CreateTrail", input);
export const deleteTrail = (name) => ct("DeleteTrail", { Name: name });
export const startLogging = (name) => ct("StartLogging", { Name: name });
export const stopLogging = (name) => ct("StopLogging", { Name: name });
export const getSelectors = (name) => ct("GetEventSelectors", { TrailName: name });
export const putSelectors = (name, selectors) => ct("PutEventSelectors", { TrailName: name, ...selectors });
export const lookupEvents = (input) => ct("LookupEvents", input);
export const listPublicKeys = (input) => ct("ListPublicKeys", input).then((r) => r.PublicKeyList || []);

/** trailstack's explanation of `s3://bucket[/key]` or `kms://key` (README, "Explain"). */
export const explain = (target) => json("trailstack", "Explain", { target });

/** Delivers pending CloudTrail records and digests now (`trailstack flush`). */
export const flush = () => json("trailstack", "Flush", {});
