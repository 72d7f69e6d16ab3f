// A stand-in for a consented analytics script (tests and demos): it sets one cookie.
document.cookie = "rabatt_analytics=1; path=/; SameSite=Lax";
