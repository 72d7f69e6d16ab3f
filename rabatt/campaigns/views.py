from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rabatt.campaigns.selectors import campaign_list_live


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/home.html", {"campaigns": campaign_list_live()})
