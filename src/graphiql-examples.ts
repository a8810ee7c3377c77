/** Operations GraphiQL opens with: a tour of the gateway that works against the sandbox as is. */
export const GRAPHIQL_DEFAULT_QUERY = /* GraphQL */ `# Storefront gateway: the BigCommerce Storefront API plus the gateway's own fields.
# 1. Run "Products" as a guest. 2. Run "Login" (sandbox account). 3. Run "Products" again:
# the wholesale shopper sees their customer group's prices, in "prices" (Storefront API) and
# "pricing" (REST Pricing API). The session is an HttpOnly cookie; "sessionToken" is for non-browser clients.

query Products {
  site {
    products(first: 5) {
      edges {
        node {
          entityId
          name
          prices { price { value currencyCode } salePrice { value } }
          pricing { calculatedPrice { taxInclusive } priceRange { minimum { taxInclusive } maximum { taxInclusive } } }
        }
      }
    }
  }
  currentCustomer { entityId email customerGroupId source }
}

mutation Login {
  login(email: "wholesale@example.com", password: "Wholesale1!") {
    sessionToken
    customer { entityId email customerGroupId }
  }
}

# A one-time link that signs the shopper into the BigCommerce-hosted account pages (needs a session).
mutation CustomerLoginUrl {
  customerLoginUrl(redirectTo: "/account.php") { url redirectTo expiresAt }
}

mutation Logout {
  logout { result }
}
`;
