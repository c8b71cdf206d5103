"""The web console in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by Selenium) against the real binary. The console is just another
SigV4 client, so each check asserts what a person sees and what the server recorded."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import boto3

from checks_trail import bucket_policy
from harness import ACCESS_KEY, REGION, SECRET_KEY, Context, expect, expect_eq, running_server

CONSOLE = "/_trailstack/console/"
USER_AGENT = "trailstack-console/1.0"
WAIT = 15


def browser(profile: Path):
    """Headless Chromium with a fresh profile and nothing reaching the network but the server."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=opts)


class Page:
    """What a person does: find controls by their label or text, type, click, read."""

    def __init__(self, driver, shots: Path):
        from selenium.webdriver.support.ui import WebDriverWait

        self.d = driver
        self.shots = shots
        self.wait = WebDriverWait(driver, WAIT)

    def field(self, label: str):
        from selenium.webdriver.common.by import By

        el = self.wait.until(lambda d: d.find_elements(By.XPATH, f"//label[normalize-space()='{label}']"))[0]
        return self.d.find_element(By.ID, el.get_attribute("for"))

    def field_by_aria(self, label: str):
        return self.wait.until(lambda d: d.find_elements("css selector", f'[aria-label="{label}"]'))[0]

    def type(self, label: str, text: str) -> None:
        f = self.field(label)
        f.clear()
        f.send_keys(text)

    def click(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        xp = f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']"
        self.wait.until(lambda d: [e for e in d.find_elements(By.XPATH, xp) if e.is_displayed() and e.is_enabled()])[0].click()

    def see(self, text: str) -> None:
        """Waits until the page shows `text`."""
        try:
            self.wait.until(lambda d: text in d.find_element("tag name", "body").text)
        except Exception:
            body = self.d.find_element("tag name", "body").text
            raise AssertionError(f"the page never showed {text!r}; it shows: {' '.join(body.split())[:600]}")

    def shot(self, name: str) -> None:
        self.d.save_screenshot(str(self.shots / f"{name}.png"))


def screenshots_dir(ctx: Context) -> Path:
    """Where screenshots go: $TRAILSTACK_CONSOLE_SHOTS (CI keeps them), else the scratch dir."""
    d = Path(os.environ.get("TRAILSTACK_CONSOLE_SHOTS") or ctx.tempdir("shots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def console_signs_in_creates_uploads_and_shows_errors(ctx: Context) -> None:
    with running_server(ctx, "server") as srv:
        profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=ctx.scratch))
        driver = browser(profile)
        try:
            p = Page(driver, screenshots_dir(ctx))
            driver.get(srv.endpoint + CONSOLE)
            # A wrong secret: S3's own error, code and message.
            p.type("Access key ID", ACCESS_KEY)
            p.type("Secret access key", "not-the-secret")
            p.click("Sign in")
            p.see("SignatureDoesNotMatch")
            p.shot("sign-in-error")
            p.type("Secret access key", SECRET_KEY)
            p.click("Sign in")
            p.see("Your buckets")
            # Create a bucket; an invalid name shows S3's error.
            p.type("Bucket name", "Not_A_Bucket")
            p.click("Create bucket")
            p.see("InvalidBucketName")
            p.type("Bucket name", "console-bucket")
            p.click("Create bucket")
            p.see("Created console-bucket.")
            p.shot("buckets")
            p.click("console-bucket")
            p.see("Upload")
            upload = ctx.tempdir("upload") / "hello.txt"
            upload.write_text("hello from the console\n")
            p.field("Files").send_keys(str(upload))
            p.click("Upload")
            p.see("Uploaded 1 file(s).")
            p.see("hello.txt")
            p.shot("bucket")
            p.click("hello.txt")
            p.see("SSE-S3")
            p.see("Readable by you")
            p.shot("object")
        finally:
            driver.quit()
        s3 = srv.s3()
        expect_eq(s3.get_object(Bucket="console-bucket", Key="hello.txt")["Body"].read(),
                  b"hello from the console\n", "the uploaded object")
        ct = boto3.session.Session().client("cloudtrail", endpoint_url=srv.endpoint, region_name=REGION,
                                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateBucket"}])
        agents = {json.loads(e["CloudTrailEvent"]).get("userAgent") for e in events["Events"]}
        # S3 records a user agent in brackets (docs/aws/cloudtrail-api.md §4).
        expect(f"[{USER_AGENT}]" in agents, f"CreateBucket recorded with userAgent {agents}, want [{USER_AGENT}]")
        ctx.note("signed in, created a bucket, uploaded, saw SSE-S3 and SignatureDoesNotMatch")


def console_shows_the_seed_scenario(ctx: Context) -> None:
    """A bucket encrypted by default with a KMS key, a trail taking its data events, delivery,
    digest validation, the event history, and a disabled key making an object unreadable."""
    from selenium.webdriver.support.ui import Select

    with running_server(ctx, "server") as srv:
        profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=ctx.scratch))
        driver = browser(profile)
        try:
            p = Page(driver, screenshots_dir(ctx))
            driver.get(srv.endpoint + CONSOLE)
            p.type("Access key ID", ACCESS_KEY)
            p.type("Secret access key", SECRET_KEY)
            p.click("Sign in")
            p.see("Your buckets")
            # A key, then a bucket whose default encryption is that key.
            p.click("Keys")
            p.type("Alias", "alias/console-cmk")
            p.click("Create key")
            p.see("alias/console-cmk")
            p.click("Buckets")
            p.type("Bucket name", "data-bucket")
            Select(p.field("Default encryption")).select_by_visible_text("SSE-KMS")
            p.type("KMS key (SSE-KMS, DSSE-KMS)", "alias/console-cmk")
            p.click("Create bucket")
            p.see("Created data-bucket.")
            p.type("Bucket name", "trail-logs")
            p.click("Create bucket")
            p.see("Created trail-logs.")
            # The log bucket's policy, through the editor: first a broken one, then CloudTrail's.
            driver.get(srv.endpoint + CONSOLE + "#/buckets/trail-logs?tab=properties")
            p.see("The bucket has no policy.")
            editor = p.field_by_aria("Bucket policy JSON")
            driver.execute_script("arguments[0].value = arguments[1]", editor, "{not json")
            p.click("Save policy")
            p.see("MalformedPolicy")
            driver.execute_script("arguments[0].value = arguments[1]", editor, bucket_policy("trail-logs", "console-trail"))
            p.click("Save policy")
            p.see("Policy saved.")
            # A trail taking data-bucket's data events.
            p.click("Trails")
            p.type("Trail name", "console-trail")
            p.type("S3 bucket", "trail-logs")
            p.click("Create trail")
            p.see("and started logging")
            p.click("console-trail")
            p.field_by_aria("Bucket whose data events to log").send_keys("data-bucket")
            p.click("Log data events of bucket")
            p.see("The trail now logs data events of data-bucket.")
            driver.get(srv.endpoint + CONSOLE + "#/buckets/data-bucket?tab=properties")
            p.see("Object-level logging")
            p.see("console-trail")
            p.see("SSE-KMS")
            p.shot("bucket-properties")
            # An object under the KMS default.
            p.click("Objects")
            upload = ctx.tempdir("upload") / "secret.txt"
            upload.write_text("encrypted under the bucket's key\n")
            p.field("Files").send_keys(str(upload))
            p.click("Upload")
            p.see("Uploaded 1 file(s).")
            p.click("secret.txt")
            p.see("SSE-KMS, key alias/console-cmk")
            p.see("console-trail")
            # Deliver, see the files and how each is encrypted, validate the digest chain.
            p.click("Trails")
            p.click("console-trail")
            p.click("Deliver now")
            p.see("Delivered")
            p.see("CloudTrail log file")
            p.click("Validate")
            p.see("digest files valid")
            p.shot("trail")
            result = driver.find_element("css selector", "[role=status]").text
            expect(result.startswith("1/1 digest files valid, ") and "INVALID" not in driver.page_source,
                   f"validation: {result}")
            # The map ties them together.
            p.click("Map")
            p.see("trail logs data events of")
            p.see("default key")
            p.shot("map")
            # The event history has the console's calls.
            p.click("Event history")
            Select(p.field("Lookup attribute")).select_by_visible_text("EventName")
            p.type("Value", "CreateTrail")
            p.click("Look up events")
            p.see("CreateTrail")
            p.shot("events")
            # A disabled key makes the object unreadable.
            p.click("Keys")
            p.click("alias/console-cmk")
            p.click("Disable")
            p.see("Disabled")
            driver.get(srv.endpoint + CONSOLE + "#/buckets/data-bucket/object?key=secret.txt")
            p.see("cannot be read")
            p.shot("object-unreadable")
        finally:
            driver.quit()
        ctx.note("KMS default, trail with data events, delivery, Validate, event history, disabled key")


def console_shows_access_denied_to_a_restricted_user(ctx: Context) -> None:
    """A user whose policy allows only listing buckets sees AWS's AccessDenied, not a blank page."""
    config = ctx.tempdir("config") / "trailstack.toml"
    config.write_text("""
[[users]]
access_key = "AKIAREADER"
secret_key = "reader-secret"
account_id = "000000000000"
user_name = "reader"
policies = ['{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}']
""")
    with running_server(ctx, "server", ("--config", str(config))) as srv:
        profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=ctx.scratch))
        driver = browser(profile)
        try:
            p = Page(driver, screenshots_dir(ctx))
            driver.get(srv.endpoint + CONSOLE)
            p.type("Access key ID", "AKIAREADER")
            p.type("Secret access key", "reader-secret")
            p.click("Sign in")
            p.see("Your buckets")
            p.type("Bucket name", "not-allowed")
            p.click("Create bucket")
            p.see("AccessDenied")
            p.click("Keys")
            p.see("AccessDeniedException")
            p.shot("access-denied")
        finally:
            driver.quit()
        ctx.note("a restricted user sees AccessDenied and AccessDeniedException")


CHECKS = [console_signs_in_creates_uploads_and_shows_errors, console_shows_the_seed_scenario,
          console_shows_access_denied_to_a_restricted_user]
