"""Data map of the campaign editor: campaign files and the staff who changed them."""

from rabatt.privacy.classification import ModelMap, not_personal, staff

_N = not_personal()

DATAMAP = [
    ModelMap("editor.CampaignChange", fields={
        "id": _N, "campaign": _N, "kind": _N, "status": _N,
        "before": not_personal(why="a campaign file"),
        "after": not_personal(why="a campaign file"),
        "money": not_personal(why="paths in the campaign file"),
        "requested_by": staff(), "requested_at": _N, "decided_by": staff(), "decided_at": _N}),
]
