from tests.api.conftest import client_for  # noqa: F401 (a fixture)
from tests.referrals.conftest import agent, products, rep, shop_store, shopper  # noqa: F401 (fixtures)
