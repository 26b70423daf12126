from collections import Counter

import tests.instruction.test_lifecycle_property as m

COUNTS = Counter()
LOG = []


def test_stats(cast, monkeypatch):
    monkeypatch.setattr(m, "event", lambda s: LOG.append(s))
    orig = m.DossierLifecycle.teardown

    def td(self):
        print(len(self.dossiers), [t.history for t in self.dossiers], LOG[:])
        LOG.clear()
        orig(self)

    monkeypatch.setattr(m.DossierLifecycle, "teardown", td)
    m.test_lifecycle_random_actors_status_tasks_and_events_agree(cast)
