"""Every model, imported in one place: for Alembic's autogenerate and the schema tests.

A new domain adds its ``models`` module here.
"""

from connectwell.accounts import models as accounts_models
from connectwell.core import notify
from connectwell.core.db import Base, claims
from connectwell.people import models as people_models
from connectwell.programs import models as programs_models

MODEL_MODULES = (people_models, accounts_models, programs_models, notify, claims)
metadata = Base.metadata
