"""A script client of Portero's API, written from its OpenAPI document alone.

Every address comes from /api/openapi.json: operations are found by their
operationId, the token endpoint by the OAuth2 password flow's tokenUrl, and
request bodies are filled from the schemas' required members. The client keeps
no cookies (its cookie jar refuses every cookie, and each request is checked to
carry none): it authenticates with `Authorization: Bearer` only.

    python bench/api_client.py http://127.0.0.1:8000

Steps: sign up, get a token with the password grant, list products, buy one,
list own sales (the new sale is there), log the token out (then 401 with
`WWW-Authenticate: Bearer`). Exit status 0 when every step answered as
documented; each step prints one line.
"""

import http.cookiejar
import secrets
import sys
import time

import httpx


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Refuses every cookie: this client has no cookie jar to speak of."""

    def set_ok(self, cookie, request):
        return False


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def expect(response, status, step):
    if response.status_code != status:
        fail(f"{step}: expected {status}, got {response.status_code}: {response.text[:400]}")
    if "cookie" in {name.lower() for name in response.request.headers}:
        fail(f"{step}: a Cookie header was sent")
    return response


class Api:
    def __init__(self, base_url):
        self.http = httpx.Client(
            base_url=base_url,
            cookies=http.cookiejar.CookieJar(policy=NoCookies()),
            timeout=30.0,
            follow_redirects=False,
        )
        self.spec = expect(self.http.get("/api/openapi.json"), 200, "GET /api/openapi.json").json()
        self.prefix = (self.spec.get("servers") or [{"url": ""}])[0]["url"].rstrip("/")
        self.operations = {}
        for path, item in self.spec["paths"].items():
            for method, operation in item.items():
                if "operationId" in operation:
                    self.operations[operation["operationId"]] = (method.upper(), path, operation)
        self.token = None

    def operation(self, operation_id):
        if operation_id not in self.operations:
            fail(f"the document has no operation {operation_id!r}")
        return self.operations[operation_id]

    def url(self, path, **path_params):
        for name, value in path_params.items():
            path = path.replace("{" + name + "}", str(value))
        return self.prefix + path

    def call(self, operation_id, status, json=None, params=None, **path_params):
        method, path, _ = self.operation(operation_id)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.request(method, self.url(path, **path_params), json=json, params=params, headers=headers)
        return expect(response, status, f"{method} {path}")

    def schema(self, reference):
        name = reference.rsplit("/", 1)[-1]
        return self.spec["components"]["schemas"][name]

    def body_schema(self, operation_id):
        _, _, operation = self.operation(operation_id)
        content = operation["requestBody"]["content"]
        return self.schema(content["application/json"]["schema"]["$ref"])

    def token_url(self):
        for scheme in self.spec["components"]["securitySchemes"].values():
            if scheme.get("type") == "oauth2" and "password" in scheme.get("flows", {}):
                return scheme["flows"]["password"]["tokenUrl"]
        fail("the document declares no OAuth2 password flow")


def main(base_url):
    started = time.monotonic()
    api = Api(base_url)
    print(f"ok   {len(api.operations)} operations read from {base_url}/api/openapi.json")

    suffix = secrets.token_hex(4)
    account = {
        "username": f"script_{suffix}",
        "email": f"script.{suffix}@example.com",
        "password": f"a long script passphrase {suffix}",
        "first_name": "Script",
        "last_name": "Client",
    }
    required = set(api.body_schema("signup").get("required", []))
    if not required <= set(account):
        fail(f"signup requires members this script does not know: {sorted(required - set(account))}")
    user = api.call("signup", 201, json={name: account[name] for name in required}).json()
    print(f"ok   signed up as {user['username']} (id {user['id']})")

    grant = {"grant_type": "password", "username": account["username"], "password": account["password"]}
    response = expect(api.http.post(api.token_url(), data=grant), 200, "POST token")
    issued = response.json()
    if issued.get("token_type", "").lower() != "bearer":
        fail(f"token_type is {issued.get('token_type')!r}")
    api.token = issued["access_token"]
    print(f"ok   bearer token issued (expires in {issued['expires_in']} s)")

    me = api.call("me", 200).json()
    if me["id"] != user["id"]:
        fail("GET /me answered another account")

    products = api.call("list_products", 200, params={"per_page": 100}).json()
    in_stock = [p for p in products["items"] if p["stock"] > 0 and p["is_active"]]
    if not in_stock:
        fail("no product in stock to buy")
    product = in_stock[0]
    print(f"ok   {products['total']} products; buying one {product['name']!r}")

    sale = api.call("create_sale", 201, json={"items": [{"product_id": product["id"], "quantity": 1}]}).json()
    if sale["total_cents"] != product["price_cents"]:
        fail(f"total {sale['total_cents']} for a price of {product['price_cents']}")
    print(f"ok   sale {sale['id']} recorded, {sale['total_cents']} cents")

    sales = api.call("list_sales", 200).json()
    if sales["total"] != 1 or sales["items"][0]["id"] != sale["id"]:
        fail(f"own sales are {sales}")
    print(f"ok   own sales list the new sale (total {sales['total']})")

    api.call("logout", 204)
    refused = api.call("me", 401)
    challenge = refused.headers.get("www-authenticate", "")
    if not challenge.lower().startswith("bearer"):
        fail(f"401 without a Bearer challenge: {challenge!r}")
    print(f"ok   token logged out: GET /me is 401 ({challenge})")
    print(f"done in {time.monotonic() - started:.2f} s, no cookie sent or kept")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
