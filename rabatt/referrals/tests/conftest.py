from rabatt.codes.tests.fixtures import campaign, during_campaign

__all__ = ["campaign", "during_campaign"]
