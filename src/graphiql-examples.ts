/** Operations GraphiQL opens with: a tour of the gateway that works against the sandbox as is. */
export const GRAPHIQL_DEFAULT_QUERY = /* GraphQL */ `# Storefront gateway — BigCommerce Storefront API plus the gateway's own fields.
# Run "Products" as a guest, then "Login" (sandbox account below), then "Products" again:
# the wholesale shopper sees their customer group's prices. The session is an HttpOnly cookie.

query Products {
  site {
    products(first: 5) {
      edges {
        node {
          entityId
          name
          prices { price { value currencyCode } salePrice { value } }
        }
      }
    }
  }
  customer { entityId email customerGroupId }
}

mutation Login {
  login(email: "wholesale@example.com", password: "Wholesale1!") {
    result
    customer { entityId email customerGroupId }
  }
}

mutation Logout {
  logout { result }
}
`;
