"""Every model, imported in one place: for Alembic's autogenerate and the schema tests.

A new domain adds its ``models`` module here.
"""

from connectwell.accounts import models as accounts_models
from connectwell.core import audit, ballots, notify
from connectwell.core.db import Base, claims
from connectwell.digests import models as digests_models
from connectwell.goals import models as goals_models
from connectwell.insights import models as insights_models
from connectwell.people import models as people_models
from connectwell.programs import models as programs_models
from connectwell.pulses import models as pulses_models
from connectwell.shoutouts import models as shoutouts_models

MODEL_MODULES = (
    people_models, accounts_models, programs_models, shoutouts_models, pulses_models, notify,
    audit, claims, insights_models, ballots,
    goals_models, digests_models,
)  # fmt: skip
metadata = Base.metadata
