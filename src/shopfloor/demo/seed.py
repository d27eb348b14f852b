"""The demo data: a Portuguese home-goods retailer, "Casa Lusa", with two stores.

`seed_demo()` writes it once. The stores' codes are the marker: when the demo
store exists the seed does nothing, so running it twice changes nothing. It runs
in one transaction, so it never leaves half a demo behind. Everything is drawn
from a seeded random generator; only the dates move with the day it runs.

People and catalog go through the services the product uses (stores,
associates, groups, agencies, products); the 200 customers are bulk-inserted
(nothing else derives from a customer row but its search columns, which the
service's own helper fills); every order goes through `record_order`, so each
one is attributed by the real rules.
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import phonenumbers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import Associate, AssociateRole, SellingMode, Store, User
from shopfloor.accounts.services import create_admin, save_associate, save_store
from shopfloor.agents import demo as agents_demo
from shopfloor.attribution.coupons.services import check_coupon
from shopfloor.catalog.services import upsert_product
from shopfloor.clienteling import demo as clienteling_demo
from shopfloor.commissions import demo as commissions_demo
from shopfloor.comms import demo as comms_demo
from shopfloor.customers.models import Customer, CustomerAssignment, CustomerRepCode, CustomerStatus
from shopfloor.customers.services import refresh_search_fields, save_agency, save_business, save_group
from shopfloor.lists import demo as lists_demo
from shopfloor.live import demo as live_demo
from shopfloor.lookbooks import demo as lookbooks_demo
from shopfloor.money import to_cents
from shopfloor.orders.models import OrderStatus
from shopfloor.orders.services import record_order

DEMO_PASSWORD = "shopfloor-demo"
ADMIN_EMAIL = "admin@shopfloor.demo"
SHOPPER_EMAIL = "carolina.mendes@example.com"
PENDING_EMAIL = "rita.neves@example.com"
# The seed writes nothing when this store exists (see the module docstring).
MARKER_STORE_CODE = "lisbon-chiado"
SEED = 20250601
TIME_ZONE = "Europe/Lisbon"

DEMO_LOGINS = {
    "password": DEMO_PASSWORD,
    "accounts": [
        ("Admin", ADMIN_EMAIL),
        ("Manager, Lisbon Chiado", "marta.figueiredo@shopfloor.demo"),
        ("Associate, Lisbon Chiado", "ana.ribeiro@shopfloor.demo"),
        ("Subagent of Ana (Lisbon)", "ines.carvalho@shopfloor.demo"),
        ("Manager, Porto Baixa (team)", "joao.pereira@shopfloor.demo"),
        ("Associate, Porto Baixa", "sofia.lopes@shopfloor.demo"),
        ("Shopper at /shop/", SHOPPER_EMAIL),
        ("Shopper awaiting approval", PENDING_EMAIL),
    ],
}

STORES = [
    {"code": MARKER_STORE_CODE, "name": "Lisbon Chiado", "selling_mode": SellingMode.ASSOCIATE,
     "approve_new_customers": True},
    {"code": "porto-baixa", "name": "Porto Baixa", "selling_mode": SellingMode.TEAM,
     "approve_new_customers": False},
]

# (store code, name, role, phone, rep codes, parent's name)
ASSOCIATES = [
    ("lisbon-chiado", "Marta Figueiredo", AssociateRole.MANAGER, "+351912480101", ["LX-100"], None),
    ("lisbon-chiado", "Ana Ribeiro", AssociateRole.ASSOCIATE, "+351912480102", ["LX-101"], None),
    ("lisbon-chiado", "Tiago Moreira", AssociateRole.ASSOCIATE, "+351912480103", ["LX-102"], None),
    ("lisbon-chiado", "Inês Carvalho", AssociateRole.ASSOCIATE, "+351912480104", ["LX-103"], "Ana Ribeiro"),
    ("lisbon-chiado", "Rui Teixeira", AssociateRole.ASSOCIATE, "+351936480105", ["AG-301"], "Inês Carvalho"),
    ("porto-baixa", "João Pereira", AssociateRole.MANAGER, "+351962260201", ["PT-200"], None),
    ("porto-baixa", "Sofia Lopes", AssociateRole.ASSOCIATE, "+351962260202", ["PT-201"], None),
    ("porto-baixa", "Miguel Santos", AssociateRole.ASSOCIATE, "+351962260203", ["PT-202"], None),
    ("porto-baixa", "Beatriz Costa", AssociateRole.ASSOCIATE, "+351922260204", ["PT-203"], None),
]

GROUPS = [
    ("Interior designers", ["Ana Ribeiro", "Tiago Moreira"]),
    ("Hospitality (B2B)", ["Sofia Lopes", "Ana Ribeiro"]),
    ("Chiado VIP", ["Marta Figueiredo"]),
    ("Porto regulars", ["Miguel Santos", "Beatriz Costa"]),
]

BUSINESS = {"name": "Hotel Lusitânia Group", "external_id": "ERP-B-1001"}
AGENCY_NAME = "Lusitânia Contract Sales"
# The ERP's rep codes for the hotel group, as the agency maps them.
AGENCY_REPS = [("HLG-LX", "Ana Ribeiro"), ("HLG-PT", "Sofia Lopes"), ("HLG-ALG", "Rui Teixeira")]
# A code the ERP sends that no agency maps yet: the console warns about it.
UNMAPPED_CODE = "HLG-MAD"

# name, three-letter code, what the range is made of, [(item, lowest price, highest price)]
CATALOG = [
    ("Living", "LIV", "Solid oak, cane and wool, built by furniture makers around Paços de Ferreira.", [
        ("armchair", 390, 690), ("side table", 120, 240), ("bookshelf", 280, 520), ("ottoman", 140, 260),
        ("coffee table", 260, 480), ("console table", 220, 420), ("wall mirror", 95, 210),
        ("magazine rack", 45, 85), ("bench", 180, 340), ("plant stand", 55, 110), ("storage basket", 35, 70),
        ("floor cushion", 60, 110), ("room divider", 240, 410)]),
    ("Lighting", "LGT", "Hand-blown glass, brushed brass and linen shades, assembled in Lisbon.", [
        ("table lamp", 85, 190), ("floor lamp", 180, 360), ("pendant light", 120, 280),
        ("wall sconce", 90, 170), ("candle holder", 18, 45), ("lantern", 35, 80), ("reading lamp", 110, 210),
        ("desk lamp", 75, 150), ("string lights", 25, 45), ("lampshade", 40, 90), ("tealight set", 14, 28),
        ("hurricane lamp", 45, 95), ("ceiling rose", 60, 120)]),
    ("Tableware", "TAB", "Stoneware glazed by hand in Caldas da Rainha, glass blown in Marinha Grande.", [
        ("dinner plate set", 48, 96), ("ceramic bowl", 14, 32), ("serving platter", 38, 72), ("mug", 12, 22),
        ("espresso cups", 24, 44), ("water glasses", 28, 52), ("wine glasses", 34, 68), ("carafe", 26, 48),
        ("cutlery set", 69, 149), ("salad bowl", 36, 64), ("butter dish", 18, 32), ("olive dish", 12, 24),
        ("teapot", 42, 78)]),
    ("Textiles", "TEX", "Linen, cotton and wool, woven in the north of Portugal.", [
        ("linen cushion cover", 29, 49), ("wool throw", 79, 149), ("linen tablecloth", 59, 119),
        ("napkin set", 24, 44), ("cotton rug", 120, 320), ("bedspread", 110, 210), ("duvet cover", 95, 185),
        ("pillowcase pair", 35, 59), ("table runner", 29, 49), ("curtain panel", 65, 125),
        ("tea towel set", 19, 32), ("throw pillow", 39, 69), ("placemat set", 22, 38)]),
    ("Kitchen", "KIT", "Olive wood, cork, copper and enamelled cast iron, made to be used every day.", [
        ("cast-iron casserole", 129, 249), ("olive wood board", 32, 68), ("copper cataplana", 89, 159),
        ("knife set", 89, 189), ("cork trivet", 12, 22), ("spice jar set", 24, 42), ("oil bottle", 16, 29),
        ("mortar and pestle", 34, 58), ("apron", 28, 45), ("bread bin", 39, 69), ("colander", 26, 44),
        ("salad servers", 22, 38)]),
    ("Bath", "BAT", "Heavy Portuguese cotton and olive oil soaps from Porto.", [
        ("bath towel", 29, 49), ("bath mat", 25, 45), ("soap dish", 14, 26), ("olive oil soap trio", 15, 24),
        ("bathrobe", 79, 129), ("toothbrush holder", 12, 22), ("vanity tray", 24, 44),
        ("laundry basket", 45, 85), ("hand towel set", 24, 39), ("bath sheet", 39, 59), ("wash bag", 28, 45),
        ("diffuser", 29, 49)]),
    ("Outdoor", "OUT", "Weatherproof teak, terracotta and canvas, made for long summers outside.", [
        ("terracotta planter", 29, 89), ("garden chair", 140, 260), ("outdoor lantern", 45, 95),
        ("outdoor cushion", 39, 69), ("picnic blanket", 49, 89), ("watering can", 29, 49),
        ("beach towel", 35, 59), ("folding table", 160, 290), ("hammock", 89, 149), ("parasol", 120, 240),
        ("bird feeder", 24, 44), ("herb pot set", 26, 46)]),
    ("Stationery & Gifts", "GFT", "Recycled paper, cork and tin, designed in our Lisbon studio.", [
        ("notebook", 12, 24), ("scented candle", 22, 42), ("azulejo coaster set", 18, 32),
        ("sardine tin ornament", 9, 16), ("art print", 35, 90), ("cork wallet", 29, 49),
        ("fountain pen", 39, 89), ("photo frame", 19, 39), ("wall calendar", 16, 26), ("postcard set", 9, 15),
        ("gift box", 45, 95), ("bookends", 34, 58)]),
]

COLLECTION_NAMES = [
    "Alfama", "Sintra", "Belém", "Douro", "Ribeira", "Nazaré", "Comporta", "Évora", "Aveiro", "Tavira",
    "Óbidos", "Cascais", "Gerês", "Madeira", "Monsaraz", "Ericeira",
]
DETAILS = [
    "Made in Portugal by a family workshop we have worked with for years.",
    "Each piece is finished by hand, so no two are quite the same.",
    "Made in small batches, so each run is a little different.",
    "Ask your sales representative about matching pieces and made-to-measure options.",
]

FEMALE = [
    "Ana", "Beatriz", "Carolina", "Catarina", "Inês", "Joana", "Mariana", "Marta", "Rita", "Sofia", "Leonor",
    "Matilde", "Francisca", "Margarida", "Teresa", "Helena", "Cláudia", "Patrícia", "Sara", "Filipa",
    "Raquel", "Daniela", "Madalena", "Luísa", "Isabel", "Mafalda",
]
MALE = [
    "João", "Pedro", "Miguel", "Tiago", "Rui", "Nuno", "Ricardo", "André", "Bruno", "Diogo", "Gonçalo",
    "Francisco", "Duarte", "Rodrigo", "Tomás", "Afonso", "Hugo", "Paulo", "Luís", "Vasco", "Filipe",
    "Bernardo", "Henrique", "Martim",
]
SURNAMES = [
    "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus", "Sousa",
    "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho",
    "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha",
    "Neves", "Coelho", "Cruz", "Cunha", "Pires", "Ramos", "Reis", "Simões", "Antunes", "Matos", "Fonseca",
    "Machado", "Araújo", "Barbosa", "Tavares", "Lourenço", "Castro", "Figueiredo", "Azevedo", "Freitas",
]
# Visitors from elsewhere in Europe: (first names, surnames, phone prefix, national digits after it).
EUROPEANS = [
    (["Lucía", "Javier", "Carmen", "Pablo", "Elena"], ["García", "Martínez", "López", "Sánchez", "Navarro"],
     "+346", 8),
    (["Camille", "Julien", "Élodie", "Mathieu", "Chloé"],
     ["Dubois", "Moreau", "Laurent", "Girard", "Lefèvre"], "+336", 8),
    (["Anna", "Lukas", "Lena", "Felix", "Jonas"], ["Schneider", "Becker", "Hoffmann", "Wagner", "Krüger"],
     "+49151", 8),
    (["Giulia", "Marco", "Chiara", "Luca"], ["Rossi", "Bianchi", "Romano", "Greco"], "+39347", 7),
    (["Sanne", "Daan", "Fleur", "Bram"], ["de Vries", "Jansen", "Bakker", "Visser"], "+316", 8),
]
TAGS = [
    "vip", "interior-designer", "newsletter", "wedding-registry", "loyalty-gold", "loyalty-silver",
    "prefers-whatsapp", "gift-buyer", "home-delivery", "new-home", "collector",
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]
B2B_EMAIL_DOMAIN = "hotel-lusitania.example.com"

CUSTOMER_COUNT = 200
PENDING_COUNT = 6
B2B_COUNT = 14
ORDER_COUNT = 500
SHOPPER_ORDER_COUNT = 4
# Recent orders that carry Ana's coupon (commissions.demo).
COUPON_ORDERS = {480, 492}


@dataclass
class DemoResult:
    created: bool
    counts: dict = field(default_factory=dict)


def ascii_slug(text: str) -> str:
    """ "Inês Carvalho" → "ines.carvalho", for email addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(plain.lower().replace("-", " ").split())


def is_seeded() -> bool:
    return Store.objects.filter(code=MARKER_STORE_CODE).exists()


def seed_demo(now: datetime | None = None) -> DemoResult:
    """Write the demo data once; a second run finds the marker store and writes nothing."""
    if is_seeded():
        return DemoResult(created=False)
    with transaction.atomic():
        seeder = _Seeder(random.Random(SEED), now or timezone.now())
        seeder.run()
    return DemoResult(created=True, counts=seeder.counts)


class _Seeder:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.counts: dict[str, int] = {}

    def run(self) -> None:
        self.admin = create_admin(ADMIN_EMAIL, DEMO_PASSWORD)
        self.actor = Actor(self.admin)
        # One hash for every demo login: hashing is slow on purpose, and all share one password.
        self.password_hash = self.admin.password
        self.stores = {row["code"]: self._store(row) for row in STORES}
        self.associates = self._associates()
        self.groups = {
            name: save_group(self.actor, {
                "name": name, "associate_ids": [self.associates[member].pk for member in members],
            })
            for name, members in GROUPS
        }
        self.business = save_business(self.actor, BUSINESS)
        save_agency(self.actor, {
            "business_id": self.business.pk, "name": AGENCY_NAME,
            "reps": [{"code": code, "associate_id": self.associates[name].pk} for code, name in AGENCY_REPS],
        })
        self.products = self._products()
        self.customers = self._customers()
        self.coupon_code = commissions_demo.seed_rules(self.admin, self.associates, self.now)
        self._orders()
        commissions_demo.seed(self.admin, self.associates, self.now)
        lists_demo.seed(self.associates, self.customers, self.products, self.now)
        lookbooks_demo.seed(self.associates, self.customers, self.products, self.now)
        agent_group = agents_demo.seed(self.stores, self.associates)
        comms_demo.seed(self.admin, self.associates, agent_group, self.now)
        clienteling_demo.seed(self.associates, self.customers, self.now)
        live_demo.seed(self.associates, self.customers, self.now)
        self.counts = {
            "stores": len(self.stores), "associates": len(self.associates), "products": len(self.products),
            "customers": len(self.customers), "orders": ORDER_COUNT,
        }

    # Organisation ---------------------------------------------------------------

    def _store(self, row: dict) -> Store:
        return save_store(self.admin, {**row, "currency": "EUR", "country": "PT", "timezone": TIME_ZONE})

    def _associates(self) -> dict[str, Associate]:
        associates: dict[str, Associate] = {}
        users = []
        for store_code, name, role, phone, codes, parent in ASSOCIATES:
            associate = save_associate(self.admin, {
                "store_id": self.stores[store_code].pk, "name": name, "phone": phone, "role": role,
                "email": f"{ascii_slug(name)}@shopfloor.demo", "rep_codes": codes,
                "parent_id": associates[parent].pk if parent else None,
                "referral_code": ascii_slug(name).split(".")[0] + "-" + store_code.split("-")[0],
            })
            associates[name] = associate
            users.append(User(email=associate.email, name=associate.name, password=self.password_hash))
        for user, associate in zip(User.objects.bulk_create(users), associates.values(), strict=True):
            if user.pk is None:  # a backend that returns no ids from bulk_create
                user = User.objects.get(email=user.email)
            Associate.objects.filter(pk=associate.pk).update(user=user)
            associate.user = user
        return associates

    # Catalog --------------------------------------------------------------------

    def _products(self) -> list:
        products = []
        for category, code, material, items in CATALOG:
            collections = self.rng.sample(COLLECTION_NAMES, len(items))
            for number, ((item, low, high), collection) in enumerate(
                zip(items, collections, strict=True), start=1
            ):
                sku = f"CL-{code}-{number:03d}"
                price = Decimal(self.rng.randrange(low, high + 1)) + self.rng.choice(
                    [Decimal("0.00"), Decimal("0.50"), Decimal("0.90")])
                product, _ = upsert_product(self.admin, {
                    "sku": sku,
                    "name": f"{collection} {item}",
                    "description": (
                        f"The {collection} {item}, from our {category.lower()} range. {material} "
                        f"{self.rng.choice(DETAILS)}"
                    ),
                    "url": reverse("storefront:product", args=[sku]),
                    "image_url": reverse("storefront:product_image", args=[sku]),
                    "price": price,
                    "category": category,
                    "in_stock": self.rng.random() > 0.08,
                })
                products.append(product)
        return products

    # Customers ------------------------------------------------------------------

    def _phone(self, prefix: str, digits: int) -> str:
        while True:
            number = prefix + "".join(str(self.rng.randrange(10)) for _ in range(digits))
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number

    def _person(self) -> tuple[str, str, str]:
        if self.rng.random() < 0.12:
            firsts, lasts, prefix, digits = self.rng.choice(EUROPEANS)
            return self.rng.choice(firsts), self.rng.choice(lasts), self._phone(prefix, digits)
        first = self.rng.choice(FEMALE if self.rng.random() < 0.55 else MALE)
        # Portuguese people often go by two surnames.
        last = self.rng.choice(SURNAMES)
        if self.rng.random() < 0.3:
            last = f"{self.rng.choice(SURNAMES)} {last}"
        return first, last, self._phone("+3519" + self.rng.choice("1236"), 7)

    def _birthday(self) -> date:
        return date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 53))

    def _customers(self) -> list[Customer]:
        lisbon, porto = self.stores["lisbon-chiado"], self.stores["porto-baixa"]
        staff = {
            code: [a for a in self.associates.values() if a.store_id == store.pk]
            for code, store in self.stores.items()
        }
        emails: set[str] = set()
        rows: list[dict] = []

        def add(first, last, phone, store, **extra):
            email = extra.pop("email", None)
            if email is None:
                base = ascii_slug(f"{first} {last}")
                email, n = f"{base}@{self.rng.choice(EMAIL_DOMAINS)}", 1
                while email in emails:
                    n += 1
                    email = f"{base}{n}@{self.rng.choice(EMAIL_DOMAINS)}"
            emails.add(email)
            rows.append({"first_name": first, "last_name": last, "phone": phone, "store": store,
                         "email": email, **extra})

        # The demo shopper: a hotel group's buyer with a primary associate and two agency reps.
        add("Carolina", "Mendes", "+351915550123", lisbon, email=SHOPPER_EMAIL, login=True,
            primary=self.associates["Tiago Moreira"], business=True, rep_codes=["HLG-LX", "HLG-PT"],
            group="Hospitality (B2B)", tags=["b2b", "vip"], opt_in=(True, True), birthday=date(1986, 4, 17))
        # Registrations waiting for approval in Lisbon, which approves new customers.
        add("Rita", "Neves", "+351934441207", lisbon, email=PENDING_EMAIL, login=True,
            status=CustomerStatus.PENDING, group="Interior designers", tags=["interior-designer"])
        for index in range(PENDING_COUNT - 1):
            first, last, phone = self._person()
            add(first, last, phone, lisbon, login=True, status=CustomerStatus.PENDING,
                group="Interior designers" if index % 2 == 0 else None)
        # The hotel group's buyers, carrying the ERP's rep codes; one code is not mapped yet.
        for index in range(B2B_COUNT):
            first, last, phone = self._person()
            codes = [self.rng.choice([code for code, _ in AGENCY_REPS])]
            if index == 0:
                codes = [UNMAPPED_CODE]
            elif index == 1:
                codes = ["HLG-LX", UNMAPPED_CODE]
            elif index % 4 == 0:
                codes.append(self.rng.choice(["LX-102", "PT-202"]))
            store = lisbon if index % 3 else porto
            add(first, last, phone, store, business=True, rep_codes=sorted(set(codes)),
                group="Hospitality (B2B)", email=f"{ascii_slug(first + ' ' + last)}@{B2B_EMAIL_DOMAIN}",
                tags=["b2b"], primary=self.rng.choice(staff[store.code]) if index % 2 else None)
        while len(rows) < CUSTOMER_COUNT:
            first, last, phone = self._person()
            store = lisbon if self.rng.random() < 0.58 else porto
            extra = {}
            roll = self.rng.random()
            if roll < 0.9:
                sellers = staff[store.code]
                extra["primary"] = self.rng.choice(sellers)
                if self.rng.random() < 0.25:
                    extra["others"] = [self.rng.choice([s for s in sellers if s != extra["primary"]])]
            tags = sorted(set(self.rng.sample(TAGS, self.rng.choice([0, 1, 1, 2, 2, 3]))))
            if "interior-designer" in tags:
                extra["group"] = "Interior designers"
            elif "vip" in tags and store == lisbon:
                extra["group"] = "Chiado VIP"
            elif store == porto and self.rng.random() < 0.3:
                extra["group"] = "Porto regulars"
            add(first, last, phone, store, tags=tags, **extra)
        return self._write_customers(rows)

    def _write_customers(self, rows: list[dict]) -> list[Customer]:
        users = User.objects.bulk_create([
            User(email=row["email"], name=f"{row['first_name']} {row['last_name']}",
                 password=self.password_hash)
            for row in rows if row.get("login")
        ])
        user_by_email = {user.email: user for user in users}
        if any(user.pk is None for user in users):
            user_by_email = {u.email: u for u in User.objects.filter(email__in=list(user_by_email))}
        customers, joined_at = [], []
        for number, row in enumerate(rows, start=1):
            email_opt_in, sms_opt_in = row.get("opt_in") or (
                self.rng.random() < 0.62, self.rng.random() < 0.35)
            # Customers joined one to six years ago; the waiting registrations in the last days.
            if row.get("status") == CustomerStatus.PENDING:
                joined = self.now - timedelta(hours=self.rng.randrange(2, 120))
            else:
                joined = self.now - timedelta(days=self.rng.randrange(370, 2200))
            consent_at = joined + (self.now - joined) * self.rng.random() / 3
            joined_at.append(joined)
            customer = Customer(
                external_id=f"DEMO-C-{number:04d}", user=user_by_email.get(row["email"]), email=row["email"],
                phone=row["phone"], first_name=row["first_name"], last_name=row["last_name"],
                birthday=row.get("birthday") or self._birthday(), store=row["store"],
                group=self.groups[row["group"]] if row.get("group") else None,
                business=self.business if row.get("business") else None,
                status=row.get("status", CustomerStatus.ACTIVE),
                email_opt_in=email_opt_in, email_opt_in_at=consent_at if email_opt_in else None,
                sms_opt_in=sms_opt_in, sms_opt_in_at=consent_at if sms_opt_in else None,
                tags=row.get("tags", []),
            )
            refresh_search_fields(customer)
            customers.append(customer)
        customers = Customer.objects.bulk_create(customers)
        if any(customer.pk is None for customer in customers):
            by_external_id = Customer.objects.in_bulk(
                [c.external_id for c in customers], field_name="external_id")
            customers = [by_external_id[c.external_id] for c in customers]
        assignments, codes = [], []
        for customer, row in zip(customers, rows, strict=True):
            if row.get("primary"):
                assignments.append(
                    CustomerAssignment(customer=customer, associate=row["primary"], is_primary=True))
            for other in row.get("others", []):
                assignments.append(CustomerAssignment(customer=customer, associate=other))
            codes.extend(CustomerRepCode(customer=customer, code=code) for code in row.get("rep_codes", []))
        CustomerAssignment.objects.bulk_create(assignments)
        CustomerRepCode.objects.bulk_create(codes)
        # created_at is set on insert (auto_now_add); the history says when each customer joined.
        for customer, joined in zip(customers, joined_at, strict=True):
            customer.created_at = customer.updated_at = joined
        Customer.objects.bulk_update(customers, ["created_at", "updated_at"])
        return customers

    # Orders ---------------------------------------------------------------------

    def _orders(self) -> None:
        shopper = self.customers[0]
        buyers = [c for c in self.customers if c.status == CustomerStatus.ACTIVE and c.pk != shopper.pk]
        # Some customers buy often, most now and then.
        weights = [self.rng.choice([1, 1, 1, 2, 3, 6]) for _ in buyers]
        chosen = [shopper] * SHOPPER_ORDER_COUNT + self.rng.choices(
            buyers, weights=weights, k=ORDER_COUNT - SHOPPER_ORDER_COUNT)
        placed = sorted(self.now - timedelta(minutes=self.rng.randrange(60, 365 * 24 * 60)) for _ in chosen)
        self.rng.shuffle(chosen)
        for number, (customer, placed_at) in enumerate(zip(chosen, placed, strict=True), start=1):
            products = self.rng.sample(self.products, self.rng.choice([1, 1, 1, 2, 2, 3, 4]))
            lines = [{"sku": p.sku, "quantity": self.rng.choice([1, 1, 1, 2, 2, 4]), "unit_price": p.price}
                     for p in products]
            subtotal = sum(line["unit_price"] * line["quantity"] for line in lines)
            discount = to_cents(subtotal * Decimal("0.10")) if self.rng.random() < 0.15 else Decimal("0.00")
            coupon_code = self.coupon_code if number in COUPON_ORDERS else ""
            if coupon_code:
                # What the demo shop's checkout takes off with the coupon.
                discount = check_coupon(coupon_code, subtotal, at=placed_at, currency="EUR").discount
            age = self.now - placed_at
            if age < timedelta(days=10):
                status = OrderStatus.PLACED
            else:
                status = self.rng.choices(
                    [OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.PLACED], weights=[92, 5, 3])[0]
            record_order(self.actor, {
                "external_id": f"DEMO-O-{number:05d}", "customer_id": customer.pk,
                "store_id": customer.store_id, "currency": "EUR", "lines": lines, "discount": discount,
                "status": status, "placed_at": placed_at, "coupon_code": coupon_code,
            })
